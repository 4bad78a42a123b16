namespace Chat.Gateway.Hosting;

/// <summary>
/// Finds the content root: the repository root (the folder holding Chat.sln) when the gateway runs
/// from a checkout, so that the root appsettings.json and relative model paths resolve there;
/// otherwise the folder of the binary, where the build copies appsettings.json.
/// </summary>
public static class GatewayHostDefaults
{
    public const string SolutionFileName = "Chat.sln";

    public static WebApplicationOptions CreateOptions(string[] args) => new()
    {
        Args = args,
        ContentRootPath = FindContentRoot(),
    };

    public static string FindContentRoot()
    {
        return FindRepositoryRoot(Directory.GetCurrentDirectory())
            ?? FindRepositoryRoot(AppContext.BaseDirectory)
            ?? AppContext.BaseDirectory;
    }

    /// <summary>
    /// Resolves a path given on the command line. <c>dotnet run --project src/Gateway</c> starts the
    /// process in the project folder, so a relative path that does not exist there is taken from the
    /// repository root, where the user most likely typed it.
    /// </summary>
    public static string ResolvePath(string path)
    {
        if (Path.IsPathRooted(path) || Path.Exists(path))
        {
            return Path.GetFullPath(path);
        }

        var root = FindRepositoryRoot(Directory.GetCurrentDirectory());
        return root is null ? Path.GetFullPath(path) : Path.GetFullPath(path, root);
    }

    public static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
