namespace Chat.Inference.Engine.Internal;

/// <summary>
/// Step-numbered events of the scheduler loop, for tests that must reason in steps rather than in
/// time. Called on the loop thread; implementations must be quick and must not block.
/// </summary>
internal interface ISchedulerTrace
{
    /// <summary>A waiting sequence took a running slot; its first model call is in <paramref name="step"/>.</summary>
    void Admitted(GenerationRequest request, long step);

    /// <summary>Step <paramref name="step"/> produced token number <paramref name="index"/> of the request.</summary>
    void TokenEmitted(GenerationRequest request, int index, long step);
}
