using Chat.Inference.Engine;
using Chat.Inference.Engine.Internal;

namespace Chat.Inference.Tests.Engine;

/// <summary>
/// Records, per request, the scheduler step of its admission and of each emitted token, and the
/// order of admissions; <see cref="OnToken"/> lets a test act at a given step from the loop thread.
/// </summary>
internal sealed class StepRecorder : ISchedulerTrace
{
    private readonly Lock _gate = new();
    private readonly Dictionary<GenerationRequest, List<long>> _tokens = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<GenerationRequest, long> _admitted = new(ReferenceEqualityComparer.Instance);
    private readonly List<GenerationRequest> _admissionOrder = [];

    /// <summary>Called on the loop thread after each recorded token: (request, token index, step).</summary>
    public Action<GenerationRequest, int, long>? OnToken { get; set; }

    public void Admitted(GenerationRequest request, long step)
    {
        lock (_gate)
        {
            _admitted[request] = step;
            _admissionOrder.Add(request);
        }
    }

    public void TokenEmitted(GenerationRequest request, int index, long step)
    {
        lock (_gate)
        {
            if (!_tokens.TryGetValue(request, out var steps))
            {
                _tokens[request] = steps = [];
            }

            steps.Add(step);
        }

        OnToken?.Invoke(request, index, step);
    }

    public long[] TokenSteps(GenerationRequest request)
    {
        lock (_gate)
        {
            return _tokens.TryGetValue(request, out var steps) ? [.. steps] : [];
        }
    }

    public long AdmittedAt(GenerationRequest request)
    {
        lock (_gate)
        {
            return _admitted[request];
        }
    }

    public int AdmissionIndex(GenerationRequest request)
    {
        lock (_gate)
        {
            return _admissionOrder.IndexOf(request);
        }
    }

    public bool WasAdmitted(GenerationRequest request)
    {
        lock (_gate)
        {
            return _admitted.ContainsKey(request);
        }
    }

    /// <summary>Largest number of steps between consecutive tokens of a request (1: a token every step).</summary>
    public long LongestGap(GenerationRequest request)
    {
        var steps = TokenSteps(request);
        long longest = 0;
        for (var i = 1; i < steps.Length; i++)
        {
            longest = Math.Max(longest, steps[i] - steps[i - 1]);
        }

        return longest;
    }
}
