using System.Text.Json;
using Chat.Inference.Templates;
using Chat.TestSupport;

namespace Chat.Inference.Tests.Templates;

/// <summary>
/// The published chat templates of common model families (Data/*.jinja, verbatim from their
/// tokenizer_config.json) rendered through a model folder, against the exact text transformers produces.
/// </summary>
public sealed class ChatTemplateFamilyTests : IDisposable
{
    private static readonly ChatTurn[] Conversation =
    [
        new("system", "You are a helpful assistant."),
        new("user", "Hello!"),
        new("assistant", " Hi there. How can I help? "),
        new("user", "What is 2 + 2?"),
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("chat-template-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("chatml", "<s>", "</s>", "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n Hi there. How can I help? <|im_end|>\n<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n")]
    [InlineData("qwen2", null, "<|im_end|>", "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n Hi there. How can I help? <|im_end|>\n<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n")]
    [InlineData("phi3", "<s>", "<|endoftext|>", "<|system|>\nYou are a helpful assistant.<|end|>\n<|user|>\nHello!<|end|>\n<|assistant|>\n Hi there. How can I help? <|end|>\n<|user|>\nWhat is 2 + 2?<|end|>\n<|assistant|>\n")]
    [InlineData("llama2", "<s>", "</s>", "<s>[INST] <<SYS>>\nYou are a helpful assistant.\n<</SYS>>\n\nHello! [/INST] Hi there. How can I help? </s><s>[INST] What is 2 + 2? [/INST]")]
    [InlineData("llama3", "<|begin_of_text|>", "<|eot_id|>", "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHi there. How can I help?<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWhat is 2 + 2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")]
    [InlineData("mistral-v0.3", "<s>", "</s>", "<s>[INST] You are a helpful assistant.\n\nHello![/INST] Hi there. How can I help?</s>[INST] What is 2 + 2?[/INST]")]
    [InlineData("smollm2", "<|im_start|>", "<|im_end|>", "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n Hi there. How can I help? <|im_end|>\n<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n")]
    [InlineData("zephyr", "<s>", "</s>", "<|system|>\nYou are a helpful assistant.</s>\n<|user|>\nHello!</s>\n<|assistant|>\n Hi there. How can I help? </s>\n<|user|>\nWhat is 2 + 2?</s>\n<|assistant|>\n")]
    public void Renders_system_user_assistant_user_with_generation_prompt(string family, string? bos, string eos, string expected)
    {
        Assert.Equal(expected, LoadFamily(family, bos, eos).Render(Conversation));
    }

    [Theory]
    [InlineData("qwen2", null, "<|im_end|>", "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n Hi there. How can I help? <|im_end|>\n<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n")]
    [InlineData("smollm2", "<|im_start|>", "<|im_end|>", "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n Hi there. How can I help? <|im_end|>\n<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n")]
    [InlineData("mistral-v0.1", "<s>", "</s>", "<s>[INST] Hello! [/INST] Hi there. How can I help? </s> [INST] What is 2 + 2? [/INST]")]
    [InlineData("mistral-v0.3", "<s>", "</s>", "<s>[INST] Hello![/INST] Hi there. How can I help?</s>[INST] What is 2 + 2?[/INST]")]
    [InlineData("gemma", "<bos>", "<eos>", "<bos><start_of_turn>user\nHello!<end_of_turn>\n<start_of_turn>model\nHi there. How can I help?<end_of_turn>\n<start_of_turn>user\nWhat is 2 + 2?<end_of_turn>\n<start_of_turn>model\n")]
    [InlineData("llama2", "<s>", "</s>", "<s>[INST] Hello! [/INST] Hi there. How can I help? </s><s>[INST] What is 2 + 2? [/INST]")]
    public void Renders_without_system_message(string family, string? bos, string eos, string expected)
    {
        Assert.Equal(expected, LoadFamily(family, bos, eos).Render(Conversation[1..]));
    }

    [Fact]
    public void Phi3_without_generation_prompt_ends_with_eos()
    {
        var rendered = LoadFamily("phi3", "<s>", "<|endoftext|>").Render(Conversation[..3], addGenerationPrompt: false);

        Assert.Equal("<|system|>\nYou are a helpful assistant.<|end|>\n<|user|>\nHello!<|end|>\n<|assistant|>\n Hi there. How can I help? <|end|>\n<|endoftext|>", rendered);
    }

    [Theory]
    [InlineData("gemma", "<bos>", "<eos>", "System role not supported")]
    [InlineData("mistral-v0.1", "<s>", "</s>", "Conversation roles must alternate user/assistant/user/assistant/...")]
    public void Template_raise_exception_surfaces_the_templates_message(string family, string bos, string eos, string message)
    {
        var error = Assert.Throws<ChatTemplateException>(() => LoadFamily(family, bos, eos).Render(Conversation));

        Assert.True(error.RaisedByTemplate);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mistral_v03_rejects_two_user_turns_in_a_row()
    {
        var template = LoadFamily("mistral-v0.3", "<s>", "</s>");

        var error = Assert.Throws<ChatTemplateException>(() => template.Render([new("user", "a"), new("user", "b")]));

        Assert.Contains("conversation roles must alternate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_compiled_template_renders_concurrently()
    {
        var template = LoadFamily("mistral-v0.3", "<s>", "</s>");
        var expected = template.Render(Conversation);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 200).Select(_ => template.Render(Conversation)).Distinct().ToArray()))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(results, r => Assert.Equal([expected], r));
    }

    private IChatTemplate LoadFamily(string family, string? bos, string eos)
    {
        var template = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tests", "Inference.Tests", "Templates", "Data", family + ".jinja"));
        var config = new Dictionary<string, object?> { ["bos_token"] = bos, ["eos_token"] = eos, ["chat_template"] = template };
        File.WriteAllText(Path.Combine(_folder, "tokenizer_config.json"), JsonSerializer.Serialize(config));
        return ChatTemplateLoader.Load(_folder);
    }
}
