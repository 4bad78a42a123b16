using System.Globalization;
using Chat.Gateway.Hosting;
using Chat.Inference.Engine;

namespace Chat.Gateway.Cli;

/// <summary>
/// <c>generate --model DIR (--prompt TEXT | --prompt-ids 1,2,3) [--max-tokens N] [--temperature T]
/// [--seed S] [--print-ids]</c>: streams one generation to stdout. Exit codes: 0 done, 1 the model or
/// the generation failed, 2 bad flags.
/// </summary>
public static class GenerateCommand
{
    public const string Usage =
        "usage: generate --model DIR (--prompt TEXT | --prompt-ids 1,2,3) [--max-tokens N] [--temperature T] [--seed S] [--print-ids]";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        GenerateArguments arguments;
        try
        {
            arguments = GenerateArguments.Parse(args);
        }
        catch (FormatException ex)
        {
            await error.WriteLineAsync(ex.Message);
            await error.WriteLineAsync(Usage);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            await using var engine = DecoderEngine.Load(GatewayHostDefaults.ResolvePath(arguments.Model), new EngineOptions { MaxBatchSize = 1, MaxQueue = 1 });
            var prompt = arguments.PromptIds ?? engine.Tokenizer.Encode(arguments.Prompt!, addSpecialTokens: true);
            var request = new GenerationRequest
            {
                PromptTokenIds = prompt,
                MaxNewTokens = arguments.MaxTokens,
                Sampling = new SamplingSettings { Temperature = arguments.Temperature, Seed = arguments.Seed },
            };

            var ids = new List<int>();
            GenerationUsage? usage = null;
            FinishReason? finish = null;
            await foreach (var update in engine.GenerateAsync(request, cancel.Token))
            {
                await output.WriteAsync(update.Text);
                await output.FlushAsync(CancellationToken.None);
                if (update.IsFinal)
                {
                    usage = update.Usage;
                    finish = update.FinishReason;
                }
                else
                {
                    ids.Add(update.TokenId);
                }
            }

            await output.WriteLineAsync();
            if (arguments.PrintIds)
            {
                await output.WriteLineAsync(string.Join(' ', ids));
            }

            await error.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"finish_reason={finish?.ToString().ToLowerInvariant()} prompt_tokens={usage?.PromptTokens} completion_tokens={usage?.CompletionTokens} ttft_ms={usage?.TimeToFirstToken.TotalMilliseconds:0.0} tokens_per_second={usage?.TokensPerSecond:0.0}"));
            return 0;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            await error.WriteLineAsync("generate: " + ex.Message);
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The parsed flags; a <see cref="FormatException"/> names the offending flag.</summary>
    private sealed record GenerateArguments(string Model, string? Prompt, int[]? PromptIds, int MaxTokens, float Temperature, long? Seed, bool PrintIds)
    {
        public static GenerateArguments Parse(string[] args)
        {
            string? model = null;
            string? prompt = null;
            int[]? promptIds = null;
            var maxTokens = 128;
            var temperature = 0f;
            long? seed = null;
            var printIds = false;
            for (var i = 0; i < args.Length; i++)
            {
                var flag = args[i];
                switch (flag)
                {
                    case "--model":
                        model = Value(args, ref i, flag);
                        break;
                    case "--prompt":
                        prompt = Value(args, ref i, flag);
                        break;
                    case "--prompt-ids":
                        promptIds = ParseIds(Value(args, ref i, flag));
                        break;
                    case "--max-tokens":
                        maxTokens = int.TryParse(Value(args, ref i, flag), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
                            ? n
                            : throw new FormatException("--max-tokens must be a positive integer.");
                        break;
                    case "--temperature":
                        temperature = float.TryParse(Value(args, ref i, flag), NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && t >= 0 && float.IsFinite(t)
                            ? t
                            : throw new FormatException("--temperature must be a number >= 0.");
                        break;
                    case "--seed":
                        seed = long.TryParse(Value(args, ref i, flag), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)
                            ? s
                            : throw new FormatException("--seed must be an integer.");
                        break;
                    case "--print-ids":
                        printIds = true;
                        break;
                    default:
                        throw new FormatException($"unknown flag '{flag}'.");
                }
            }

            if (model is null)
            {
                throw new FormatException("--model is required.");
            }

            if ((prompt is null) == (promptIds is null))
            {
                throw new FormatException("give exactly one of --prompt and --prompt-ids.");
            }

            return new GenerateArguments(model, prompt, promptIds, maxTokens, temperature, seed, printIds);
        }

        private static string Value(string[] args, ref int i, string flag) =>
            ++i < args.Length ? args[i] : throw new FormatException($"{flag} needs a value.");

        private static int[] ParseIds(string text)
        {
            var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var ids = new int[parts.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out ids[i]) || ids[i] < 0)
                {
                    throw new FormatException($"--prompt-ids must be comma-separated non-negative integers (found '{parts[i]}').");
                }
            }

            return ids.Length > 0 ? ids : throw new FormatException("--prompt-ids needs at least one id.");
        }
    }
}
