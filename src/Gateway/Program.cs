using Chat.Gateway.Cli;
using Chat.Gateway.Hosting;

if (args is ["generate", .. var generateArgs])
{
    return await GenerateCommand.RunAsync(generateArgs, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(GatewayHostDefaults.CreateOptions(args));
builder.AddGateway();

var app = builder.Build();
app.MapGatewayEndpoints();
await app.RunAsync();
return 0;

/// <summary>Entry point, visible to functional tests (WebApplicationFactory).</summary>
public partial class Program;
