using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Chat.TestSupport.Classification;

namespace Chat.Gateway.Tests.Predict;

/// <summary>Small helpers the predict tests share: bodies, posting, reading metrics, checking answers.</summary>
internal static class PredictHttp
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static string Row(float[] row) => "[" + string.Join(",", row.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";

    public static string Named(float[] row) =>
        "{" + string.Join(",", BreastCancerData.FeatureNames.Select((name, i) => $"\"{name}\":{row[i].ToString("R", CultureInfo.InvariantCulture)}")) + "}";

    public static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(HttpClient client, string path, string json, string? versionHeader = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (versionHeader is not null)
        {
            request.Headers.Add("X-Model-Version", versionHeader);
        }

        var response = await client.SendAsync(request).WaitAsync(Timeout);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, body, response);
    }

    /// <summary>Asserts a prediction object equals what the reference computes from the same weights.</summary>
    public static void AssertMatches(ReferenceClassifier reference, float[] row, JsonElement prediction)
    {
        var expected = reference.Probabilities(row);
        var best = Array.IndexOf(expected, expected.Max());
        string[] labels = ["malignant", "benign"];
        Assert.Equal(best, prediction.GetProperty("prediction").GetInt32());
        Assert.Equal(labels[best], prediction.GetProperty("label").GetString());
        Assert.Equal(expected[best], prediction.GetProperty("confidence").GetDouble(), 1e-5);
        for (var c = 0; c < labels.Length; c++)
        {
            Assert.Equal(expected[c], prediction.GetProperty("probabilities").GetProperty(labels[c]).GetDouble(), 1e-5);
        }
    }

    /// <summary>Sum of a Prometheus counter's samples whose labels contain <paramref name="labelFilter"/>.</summary>
    public static async Task<double> MetricAsync(HttpClient client, string name, string labelFilter = "")
    {
        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative)).WaitAsync(Timeout);
        return text.Split('\n')
            .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains(labelFilter, StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Polls /ready until the <c>classifiers</c> component has loaded. Only that component is awaited:
    /// the chat model may be absent or still loading in the same process, and the predict API does
    /// not depend on it.
    /// </summary>
    public static async Task WaitReadyAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            using var response = await client.GetAsync(new Uri("/ready", UriKind.Relative)).WaitAsync(Timeout);
            var text = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
            var components = JsonDocument.Parse(text).RootElement.GetProperty("components");
            if (components.TryGetProperty("classifiers", out var state) && state.GetString() != "loading")
            {
                Assert.StartsWith(BreastCancerData.ModelName + "@", state.GetString(), StringComparison.Ordinal);
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("classifiers not loaded: " + text);
            }

            await Task.Delay(50).WaitAsync(Timeout);
        }
    }
}
