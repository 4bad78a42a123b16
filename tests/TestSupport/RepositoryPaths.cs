namespace Chat.TestSupport;

/// <summary>Locations inside the checkout the tests run from.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string Models => Path.Combine(Root, "models");

    /// <summary>The conformance fixtures folder from <c>GENAI_FIXTURES</c>, or null when unset.</summary>
    public static string? GenAiFixtures
    {
        get
        {
            var value = Environment.GetEnvironmentVariable("GENAI_FIXTURES");
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }

            return Path.GetFullPath(value, Root);
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Chat.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Chat.sln not found above " + AppContext.BaseDirectory);
    }
}
