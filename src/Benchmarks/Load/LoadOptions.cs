using System.Globalization;

namespace Chat.Benchmarks.Load;

/// <summary>The <c>load</c> verb's flags.</summary>
internal sealed class LoadOptions
{
    public string? Model { get; private set; }

    public Uri? Url { get; private set; }

    public bool Chat { get; private set; }

    public string? ModelName { get; private set; }

    public Uri? Native { get; private set; }

    public int[] Concurrency { get; private set; } = [1, 2, 4, 8, 16, 32];

    /// <summary>A short chat-sized prompt: the figures are about streaming many answers, not long prefills.</summary>
    public string Prompt { get; private set; } = "Once upon a time, there was a little girl named Lily. She loved to play outside.";

    public int MaxTokens { get; private set; } = 128;

    public int Runs { get; private set; } = 3;

    public int Threads { get; private set; }

    /// <summary>EngineOptions.SingleSequenceThreads: -1 measures, 0 one session, n threads for a lone stream.</summary>
    public int SingleThreads { get; private set; } = -1;

    public int Batch { get; private set; } = 16;

    public string? Out { get; private set; }

    /// <summary>Reads the flags; returns an error message, or null when they are usable.</summary>
    public string? Parse(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var flag = args[i];
            if (i + 1 >= args.Length)
            {
                return $"{flag} needs a value.";
            }

            var value = args[++i];
            var ok = flag switch
            {
                "--model" => Set(() => Model = value),
                "--url" => TryUri(value, u => Url = u),
                "--api" when value is "completions" or "chat" => Set(() => Chat = value == "chat"),
                "--model-name" => Set(() => ModelName = value),
                "--native" => TryUri(value, u => Native = u),
                "--concurrency" => TryLevels(value),
                "--prompt" when value.Length > 0 => Set(() => Prompt = value),
                "--max-tokens" => TryInt(value, 2, n => MaxTokens = n),
                "--runs" => TryInt(value, 1, n => Runs = n),
                "--threads" => TryInt(value, 0, n => Threads = n),
                "--single-threads" => TryInt(value, -1, n => SingleThreads = n),
                "--batch" => TryInt(value, 1, n => Batch = n),
                "--out" => Set(() => Out = value),
                _ => false,
            };
            if (!ok)
            {
                return $"bad flag or value: {flag} {value}";
            }
        }

        return Model is null && Url is null && Native is null ? "give at least one of --model, --url, --native." : null;
    }

    private static bool Set(Action assign)
    {
        assign();
        return true;
    }

    private static bool TryUri(string value, Action<Uri> assign)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return false;
        }

        assign(uri);
        return true;
    }

    private static bool TryInt(string value, int minimum, Action<int> assign)
    {
        if (!int.TryParse(value, CultureInfo.InvariantCulture, out var n) || n < minimum)
        {
            return false;
        }

        assign(n);
        return true;
    }

    private bool TryLevels(string value)
    {
        var parts = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var levels = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], CultureInfo.InvariantCulture, out levels[i]) || levels[i] < 1)
            {
                return false;
            }
        }

        Concurrency = levels.Length > 0 ? levels : Concurrency;
        return levels.Length > 0;
    }
}
