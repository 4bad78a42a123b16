using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Chat.ModelBuilder.Decoder;

namespace Chat.TestSupport.Models;

/// <summary>
/// Builder-made decoder folders for tests: each spec is built once per process (thread-safe) into
/// a per-process temp folder named after the spec, and deleted when the process exits.
/// </summary>
public static class TestModels
{
    private static readonly ConcurrentDictionary<DecoderSpec, Lazy<DecoderBuildResult>> Built = new();
    private static readonly Lazy<string> Root = new(CreateRoot);

    /// <summary>The tiny preset (about 90K parameters, byte-level vocabulary of 259) in the given graph style.</summary>
    public static DecoderBuildResult Tiny(DecoderGraphStyle graph = DecoderGraphStyle.Standard) =>
        Build(DecoderPresets.Tiny with { Graph = graph });

    public static DecoderBuildResult Build(DecoderSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Built.GetOrAdd(spec, s => new Lazy<DecoderBuildResult>(() => DecoderModelWriter.Write(s, FolderFor(s)))).Value;
    }

    private static string FolderFor(DecoderSpec spec)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(spec.ToString()));
        return Path.Combine(Root.Value, Convert.ToHexStringLower(hash)[..16]);
    }

    private static string CreateRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "chat-test-models", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Directory.Exists(root))
        {
            // A previous process with a recycled id died before cleaning up.
            Directory.Delete(root, recursive: true);
        }

        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A file still mapped by a native session at exit; the next run with this id clears it.
            }
        };
        return root;
    }
}
