using Chat.Gateway.Catalog;
using Chat.Gateway.Predict.Contracts;
using Chat.Gateway.Predict.Internal;
using Chat.Inference.Classification;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Predict;

public static class PredictServiceCollectionExtensions
{
    /// <summary>
    /// Classifier registry (loaded in the background, readiness component <c>classifiers</c>),
    /// micro-batching, the prediction cache (Redis second level when <c>Redis:Configuration</c> is set)
    /// and the <c>GET /models</c> catalog.
    /// </summary>
    public static WebApplicationBuilder AddPredictions(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ClassifierOptions>()
            .BindConfiguration(ClassifierOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate<IHostEnvironment>(
                (o, env) => string.IsNullOrWhiteSpace(o.Path) || Directory.Exists(Path.GetFullPath(o.Path, env.ContentRootPath)),
                "Classifiers:Path must name an existing folder (relative paths resolve against the content root).")
            .ValidateOnStart();
        services.AddOptions<PredictOptions>().BindConfiguration(PredictOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MicroBatchOptions>().BindConfiguration(MicroBatchOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton(sp => new ClassifierRegistry(Path.GetFullPath(
            sp.GetRequiredService<IOptions<ClassifierOptions>>().Value.Path,
            sp.GetRequiredService<IHostEnvironment>().ContentRootPath)));
        services.AddSingleton<PredictionCache>();
        services.AddSingleton<PredictMetrics>();
        services.AddSingleton<PredictionService>();
        services.AddSingleton<IModelCatalogContributor, ClassifierCatalogContributor>();
        services.AddHostedService<ClassifierLoader>();

        services.AddHybridCache();
        var redis = builder.Configuration["Redis:Configuration"];
        if (!string.IsNullOrWhiteSpace(redis))
        {
            // HybridCache uses a registered IDistributedCache as its second level, shared by replicas.
            services.AddStackExchangeRedisCache(o => o.Configuration = redis);
        }

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, PredictJsonContext.Default));
        return builder;
    }
}
