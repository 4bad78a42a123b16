using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Chat.ModelTrainer;

/// <summary>
/// Loads TorchSharp's native library before its first use, through the compatibility copy that
/// scripts/setup-torchsharp.sh builds where the system libstdc++ predates GCC 13.
/// </summary>
/// <remarks>
/// TorchSharp probes for "LibTorchSharp" with NativeLibrary.TryLoad(name, assembly, ...), which does not
/// consult DllImport resolvers. So the copy is loaded first, after the libtorch libraries it needs by
/// soname (taken from the application's own output, exactly where TorchSharp would take them): the
/// loader then answers TorchSharp's probe by that soname with the copy already in the process, and the
/// resolver hands the same handle to every P/Invoke.
/// </remarks>
public static class TorchSharpNative
{
    /// <summary>Overrides where the compatibility copy is looked for (the folder holding libLibTorchSharp.so).</summary>
    public const string CompatDirectoryVariable = "TORCHSHARP_COMPAT_DIR";

    private static readonly Lock Gate = new();
    private static bool _initialised;

    /// <summary>The compatibility folder in use, or null when TorchSharp loads as shipped.</summary>
    public static string? CompatDirectory { get; private set; }

    /// <summary>Idempotent; throws with the set-up hint when libtorch cannot be loaded.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_initialised)
            {
                return;
            }

            var torchAssembly = typeof(torch).Assembly;
            CompatDirectory = FindCompatDirectory(torchAssembly);
            if (CompatDirectory is not null)
            {
                foreach (var dependency in new[] { "c10", "torch_cpu", "torch" })
                {
                    NativeLibrary.Load(dependency, torchAssembly, null);
                }

                var handle = NativeLibrary.Load(Path.Combine(CompatDirectory, "libLibTorchSharp.so"));
                NativeLibrary.SetDllImportResolver(torchAssembly, (name, _, _) => name == "LibTorchSharp" ? handle : IntPtr.Zero);
            }

            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception error) when (error is NotSupportedException or DllNotFoundException or TypeInitializationException)
            {
                throw new InvalidOperationException(
                    "TorchSharp's native library did not load. Where the system libstdc++ lacks GLIBCXX_3.4.32 (Debian 12), "
                    + "run scripts/setup-torchsharp.sh first (see models/README.md).", error);
            }

            _initialised = true;
        }
    }

    private static string? FindCompatDirectory(Assembly torchAssembly)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var configured = Environment.GetEnvironmentVariable(CompatDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(Path.Combine(configured, "libLibTorchSharp.so"))
                ? Path.GetFullPath(configured)
                : throw new InvalidOperationException($"{CompatDirectoryVariable}='{configured}' holds no libLibTorchSharp.so.");
        }

        var version = torchAssembly.GetName().Version ?? throw new InvalidOperationException("TorchSharp has no assembly version.");
        var folder = Path.Combine(".cache", "torchsharp-compat", $"torchsharp-{version.ToString(3)}");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, folder);
            if (File.Exists(Path.Combine(candidate, "libLibTorchSharp.so")))
            {
                return candidate;
            }
        }

        return null;
    }
}
