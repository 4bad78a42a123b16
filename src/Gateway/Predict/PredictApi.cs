using Chat.Gateway.Hosting;
using Chat.Gateway.Predict.Internal;

namespace Chat.Gateway.Predict;

public static class PredictApi
{
    /// <summary>Classic predictions, at the root and under <c>/api/v1</c>.</summary>
    public static IEndpointRouteBuilder MapPredictApi(this IEndpointRouteBuilder routes) =>
        routes.MapAtRootAndV1(Map);

    private static void Map(IEndpointRouteBuilder routes, string nameSuffix)
    {
        routes.MapPost("/predict", PredictEndpoints.PredictDefaultAsync)
            .WithName("Predict" + nameSuffix)
            .WithSummary("Classify one row with the default classifier: {\"features\":[...]} or {\"features\":{\"name\":value}}. Version by ?version= or X-Model-Version.")
            .WithTags("Predict");
        routes.MapPost("/predict/batch", PredictEndpoints.PredictBatchDefaultAsync)
            .WithName("PredictBatch" + nameSuffix)
            .WithSummary("Classify up to Predict:MaxBatchItems rows with the default classifier: {\"items\":[[...],...]}; results in order.")
            .WithTags("Predict");
        routes.MapPost("/predict/{model}", PredictEndpoints.PredictModelAsync)
            .WithName("PredictModel" + nameSuffix)
            .WithSummary("Classify one row with the named classifier.")
            .WithTags("Predict");
        routes.MapPost("/predict/{model}/batch", PredictEndpoints.PredictBatchModelAsync)
            .WithName("PredictModelBatch" + nameSuffix)
            .WithSummary("Classify a batch of rows with the named classifier.")
            .WithTags("Predict");
    }
}
