using Chat.Gateway.Options;

namespace Chat.Gateway.Observability;

public static class LoggingServiceCollectionExtensions
{
    /// <summary>
    /// <c>Gateway:JsonLogs=true</c> switches the console to one JSON object per line with scopes
    /// (request id included). <c>Logging:Console:FormatterName=json</c> works too, as in any ASP.NET Core app.
    /// </summary>
    public static WebApplicationBuilder AddGatewayLogging(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue<bool>($"{GatewayOptions.SectionName}:{nameof(GatewayOptions.JsonLogs)}"))
        {
            builder.Logging.AddJsonConsole(options =>
            {
                options.IncludeScopes = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        return builder;
    }
}
