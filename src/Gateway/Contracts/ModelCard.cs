namespace Chat.Gateway.Contracts;

public sealed record ModelCard(string Id, string Object, long Created, string OwnedBy);
