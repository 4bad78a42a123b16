namespace Chat.Gateway.Health;

public enum ReadinessState
{
    Loading,
    Ready,
    Failed,
}
