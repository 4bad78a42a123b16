namespace Chat.Benchmarks.Load;

/// <summary>Something that streams one fixed generation per call: an HTTP endpoint or the in-process engine.</summary>
internal interface IStreamTarget
{
    string Name { get; }

    Task<StreamSample> RunAsync(CancellationToken cancellationToken);
}
