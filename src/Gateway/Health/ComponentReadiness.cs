namespace Chat.Gateway.Health;

/// <summary>One component's state; <see cref="Detail"/> is the model id when ready, the reason otherwise.</summary>
public sealed record ComponentReadiness(string Component, ReadinessState State, string Detail);
