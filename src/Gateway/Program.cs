using Chat.Gateway.Hosting;

var builder = WebApplication.CreateBuilder(GatewayHostDefaults.CreateOptions(args));
builder.AddGateway();

var app = builder.Build();
app.MapGatewayEndpoints();
app.Run();

/// <summary>Entry point, visible to functional tests (WebApplicationFactory).</summary>
public partial class Program;
