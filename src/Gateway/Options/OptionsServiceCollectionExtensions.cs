using Microsoft.Extensions.Options;

namespace Chat.Gateway.Options;

public static class OptionsServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates every gateway section at start: bad configuration stops startup with a
    /// message naming the key. <c>ChatModel:Path</c> resolves against the content root (the repository
    /// root when run from a checkout).
    /// </summary>
    public static IServiceCollection AddGatewayOptions(this IServiceCollection services)
    {
        services.AddOptions<ChatModelOptions>()
            .BindConfiguration(ChatModelOptions.SectionName)
            .PostConfigure<IHostEnvironment>((options, environment) =>
            {
                if (!string.IsNullOrWhiteSpace(options.Path))
                {
                    options.Path = Path.GetFullPath(options.Path, environment.ContentRootPath);
                }
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<IValidateOptions<ChatApiOptions>, SystemPromptValidator>();
        services.AddOptions<ChatApiOptions>()
            .BindConfiguration(ChatApiOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddOptions<StreamsOptions>()
            .BindConfiguration(StreamsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddOptions<RealtimeOptions>()
            .BindConfiguration(RealtimeOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .ValidateOnStart();
        return services;
    }
}
