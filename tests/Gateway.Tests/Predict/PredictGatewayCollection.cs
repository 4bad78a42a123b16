namespace Chat.Gateway.Tests.Predict;

/// <summary>The predict test classes share one gateway process.</summary>
[CollectionDefinition(Name)]
public sealed class PredictGatewayCollection : ICollectionFixture<PredictGatewayFixture>
{
    public const string Name = "predict-gateway";
}
