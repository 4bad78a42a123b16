using System.Text.Json;
using Chat.Inference.Templates;

namespace Chat.Inference.Tests.Templates;

public sealed class ChatTemplateLoaderTests : IDisposable
{
    private static readonly ChatTurn[] Messages = [new("system", "Be brief."), new("user", "Hi")];

    private readonly string _folder = Directory.CreateTempSubdirectory("template-loader-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Falls_back_to_chatml_without_a_template()
    {
        WriteConfig(new Dictionary<string, object?> { ["eos_token"] = "</s>" });

        var rendered = ChatTemplateLoader.Load(_folder).Render(Messages);

        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", rendered);
    }

    [Fact]
    public void Falls_back_to_chatml_without_a_tokenizer_config()
    {
        var rendered = ChatTemplateLoader.Load(_folder).Render(Messages, addGenerationPrompt: false);

        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n", rendered);
    }

    [Fact]
    public void Takes_the_default_entry_of_a_named_template_list_and_special_tokens_given_as_objects()
    {
        WriteConfig(new Dictionary<string, object?>
        {
            ["bos_token"] = new Dictionary<string, object?> { ["content"] = "<s>", ["lstrip"] = false },
            ["chat_template"] = new[]
            {
                new Dictionary<string, string> { ["name"] = "tool_use", ["template"] = "tools" },
                new Dictionary<string, string> { ["name"] = "default", ["template"] = "{{ bos_token }}{{ messages[-1].content }}" },
            },
        });

        Assert.Equal("<s>Hi", ChatTemplateLoader.Load(_folder).Render(Messages));
    }

    [Fact]
    public void A_named_template_list_without_default_is_an_error_naming_the_key()
    {
        WriteConfig(new Dictionary<string, object?> { ["chat_template"] = new[] { new Dictionary<string, string> { ["name"] = "rag", ["template"] = "x" } } });

        var error = Assert.Throws<InvalidDataException>(() => ChatTemplateLoader.Load(_folder));

        Assert.Contains("tokenizer_config.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"chat_template\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_chat_template_jinja_and_the_override_wins_over_everything()
    {
        File.WriteAllText(Path.Combine(_folder, "chat_template.jinja"), "jinja:{{ messages|length }}");

        Assert.Equal("jinja:2", ChatTemplateLoader.Load(_folder).Render(Messages));
        Assert.Equal("override", ChatTemplateLoader.Load(_folder, "override").Render(Messages));
    }

    private void WriteConfig(Dictionary<string, object?> config) =>
        File.WriteAllText(Path.Combine(_folder, "tokenizer_config.json"), JsonSerializer.Serialize(config));
}
