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
