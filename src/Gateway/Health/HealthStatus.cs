namespace Chat.Gateway.Health;

public sealed record HealthStatus(string Status);
