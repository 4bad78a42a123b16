using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Chat.Gateway.Streams;

public static class StreamsServiceCollectionExtensions
{
    /// <summary>The process-wide stream registry (its options are bound with the other sections in AddGatewayOptions).</summary>
    public static IServiceCollection AddStreamRegistry(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<StreamRegistry>();
        return services;
    }
}
