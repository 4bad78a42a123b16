using System.Diagnostics;
using Chat.Gateway.Tests.Fakes;
using Chat.TestSupport;

namespace Chat.Gateway.Tests.Http;

/// <summary>Runs scripts/curl-stream-test.sh (plain <c>curl -N</c>) against a live gateway.</summary>
public sealed class CurlScriptTests
{
    [Fact]
    public async Task Curl_stream_script_passes_against_the_gateway()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryPaths.Root,
        };
        psi.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "scripts", "curl-stream-test.sh"));
        psi.ArgumentList.Add(gateway.Host.BaseAddress.ToString().TrimEnd('/'));
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{await output}\n{await error}");
        Assert.Contains("ok  POST /v1/chat/completions stream", await output, StringComparison.Ordinal);
    }
}
