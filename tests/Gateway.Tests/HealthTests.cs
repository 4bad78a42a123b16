using System.Net;
using Chat.TestSupport.Hosting;

namespace Chat.Gateway.Tests;

public sealed class HealthTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Health_answers_200_on_a_real_kestrel()
    {
        await using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string?>()).WaitAsync(TimeSpan.FromSeconds(120));
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };

        using var response = await client.GetAsync("/health").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"ok\"", await response.Content.ReadAsStringAsync().WaitAsync(Timeout), StringComparison.Ordinal);
    }
}
