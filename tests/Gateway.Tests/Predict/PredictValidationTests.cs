using System.Net;
using System.Text;
using Chat.TestSupport.Classification;

namespace Chat.Gateway.Tests.Predict;

[Collection(PredictGatewayCollection.Name)]
public sealed class PredictValidationTests(PredictGatewayFixture gateway)
{
    private static readonly string Good = PredictHttp.Row(BreastCancerData.Rows[0]);

    private static readonly string GoodNamed = PredictHttp.Named(BreastCancerData.Rows[0]);

    /// <summary>Path, body, expected status, the field the problem must name.</summary>
    public static TheoryData<string, string, int, string> BadBodies()
    {
        var numbers29 = Good[..Good.LastIndexOf(',')] + "]";
        var numbers31 = Good[..^1] + ",1]";
        var withString = Good.Replace(Good.Split(',')[3], "\"12.5\"", StringComparison.Ordinal);
        var withNaN = Good.Replace(Good.Split(',')[4], "\"NaN\"", StringComparison.Ordinal);
        var withHuge = Good.Replace(Good.Split(',')[5], "1e999", StringComparison.Ordinal);
        var withFloatOverflow = Good.Replace(Good.Split(',')[6], "1e39", StringComparison.Ordinal);
        var withNull = Good.Replace(Good.Split(',')[7], "null", StringComparison.Ordinal);
        var withBool = Good.Replace(Good.Split(',')[8], "true", StringComparison.Ordinal);
        var withNested = Good.Replace(Good.Split(',')[9], "[1]", StringComparison.Ordinal);
        var namedMissing = GoodNamed.Replace("\"mean area\":" + BreastCancerData.Rows[0][3].ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ",", string.Empty, StringComparison.Ordinal);
        var namedUnknown = GoodNamed[..^1] + ",\"tumor colour\":3}";
        var namedString = GoodNamed.Replace("\"worst radius\":", "\"worst radius\":\"x\",\"ignored\":", StringComparison.Ordinal);
        var namedDuplicate = GoodNamed[..^1] + ",\"mean radius\":3}";
        var tooMany = "{\"items\":[" + string.Join(",", Enumerable.Repeat(Good, 257)) + "]}";

        return new TheoryData<string, string, int, string>
        {
            { "/predict", "{}", 422, "features" },
            { "/predict", "[]", 422, "$" },
            { "/predict", "{\"features\":null}", 422, "features" },
            { "/predict", "{\"features\":\"1,2,3\"}", 422, "features" },
            { "/predict", "{\"features\":[]}", 422, "features" },
            { "/predict", "{\"features\":" + numbers29 + "}", 422, "features" },
            { "/predict", "{\"features\":" + numbers31 + "}", 422, "features" },
            { "/predict", "{\"features\":" + withString + "}", 422, "features[3]" },
            { "/predict", "{\"features\":" + withNaN + "}", 422, "features[4]" },
            { "/predict", "{\"features\":" + withHuge + "}", 422, "features[5]" },
            { "/predict", "{\"features\":" + withFloatOverflow + "}", 422, "features[6]" },
            { "/predict", "{\"features\":" + withNull + "}", 422, "features[7]" },
            { "/predict", "{\"features\":" + withBool + "}", 422, "features[8]" },
            { "/predict", "{\"features\":" + withNested + "}", 422, "features[9]" },
            { "/predict", "{\"features\":" + namedMissing + "}", 422, "features[\"mean area\"]" },
            { "/predict", "{\"features\":" + namedUnknown + "}", 422, "features[\"tumor colour\"]" },
            { "/predict", "{\"features\":" + namedString + "}", 422, "features[\"worst radius\"]" },
            { "/predict", "{\"features\":" + namedDuplicate + "}", 422, "features[\"mean radius\"]" },
            { "/predict", "{\"features\":" + Good + ",\"extra\":1}", 422, "extra" },
            { "/predict", "{\"features\":" + Good + ",\"features\":" + Good + "}", 422, "features" },
            { "/api/v1/predict", "{\"items\":[" + Good + "]}", 422, "items" },
            { "/predict/batch", "{}", 422, "items" },
            { "/predict/batch", "{\"items\":[]}", 422, "items" },
            { "/predict/batch", "{\"items\":{}}", 422, "items" },
            { "/predict/batch", "{\"items\":[" + Good + "," + numbers29 + "]}", 422, "items[1]" },
            { "/predict/batch", "{\"items\":[" + Good + "," + Good + "," + withNaN + "]}", 422, "items[2][4]" },
            { "/api/v1/predict/batch", "{\"items\":[" + GoodNamed + "," + namedUnknown + "]}", 422, "items[1][\"tumor colour\"]" },
            { "/predict/batch", "{\"items\":[5]}", 422, "items[0]" },
            { "/predict/batch", tooMany, 422, "items" },
            { "/predict/batch", "{\"features\":" + Good + "}", 422, "features" },
            { "/predict", "{\"features\":[1,2,", 400, string.Empty },
            { "/predict", "{\"features\":[NaN]}", 400, string.Empty },
            { "/predict", string.Empty, 400, string.Empty },
            { "/predict", "{\"features\":" + Good + "} trailing", 400, string.Empty },
            { "/predict/batch", "{\"items\":[" + string.Join(",", Enumerable.Repeat(GoodNamed, 256)) + "]}", 413, string.Empty },
        };
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_is_refused_with_a_problem_naming_the_field(string path, string body, int status, string field)
    {
        var (actual, json, response) = await PredictHttp.PostAsync(gateway.Client, path, body);

        Assert.Equal((HttpStatusCode)status, actual);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status, json.GetProperty("status").GetInt32());
        if (status == 422)
        {
            var errors = json.GetProperty("errors");
            Assert.True(errors.TryGetProperty(field, out var messages), $"errors should name '{field}': {errors}");
            Assert.NotEmpty(messages.EnumerateArray().Select(m => m.GetString()));
            Assert.StartsWith(field + ":", json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415()
    {
        using var content = new StringContent("{\"features\":" + Good + "}", Encoding.UTF8, "text/plain");

        using var response = await gateway.Client.PostAsync(new Uri("/predict", UriKind.Relative), content).WaitAsync(PredictHttp.Timeout);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task A_streamed_body_without_length_is_cut_off_at_the_limit_with_413()
    {
        var body = Encoding.UTF8.GetBytes("{\"items\":[" + string.Join(",", Enumerable.Repeat(GoodNamed, 256)) + "]}");
        using var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict/batch") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await gateway.Client.SendAsync(request).WaitAsync(PredictHttp.Timeout);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Refused_requests_are_counted_by_outcome()
    {
        var before = await PredictHttp.MetricAsync(gateway.Client, "predict_predictions_total", "outcome=\"invalid\"");

        await PredictHttp.PostAsync(gateway.Client, "/predict", "{}");

        Assert.Equal(1, await PredictHttp.MetricAsync(gateway.Client, "predict_predictions_total", "outcome=\"invalid\"") - before);
    }
}
