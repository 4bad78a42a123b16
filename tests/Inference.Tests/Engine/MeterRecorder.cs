using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Chat.Inference.Tests.Engine;

/// <summary>Collects every measurement of one <see cref="Meter"/> instance (other engines' meters of the same name are ignored).</summary>
internal sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, double Value, string? Reason)> _measurements = new();

    public MeterRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public IReadOnlyList<string> Names => [.. _measurements.Select(m => m.Name).Distinct()];

    public double[] Values(string name) => [.. _measurements.Where(m => m.Name == name).Select(m => m.Value)];

    public double Sum(string name, string? tag = null) =>
        _measurements.Where(m => m.Name == name && (tag is null || m.Reason == tag)).Sum(m => m.Value);

    /// <summary>Reads the observable gauges now and returns the latest value of <paramref name="name"/>.</summary>
    public double Observe(string name)
    {
        _listener.RecordObservableInstruments();
        return _measurements.Last(m => m.Name == name).Value;
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? tag = null;
        foreach (var pair in tags)
        {
            tag = pair.Value as string;
        }

        _measurements.Enqueue((instrument.Name, value, tag));
    }
}
