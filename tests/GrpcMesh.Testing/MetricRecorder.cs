using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace GrpcMesh.Testing;

/// <summary>Records the long measurements of one <see cref="Meter"/> instance (so parallel tests do not see each other's).</summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, long Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ConcurrentQueue<(string Name, int Value, Dictionary<string, object?> Tags)> _observed = new();
    private readonly Lock _observeLock = new();

    public MetricRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            _measurements.Enqueue((instrument.Name, value, copy));
        });
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            _observed.Enqueue((instrument.Name, value, copy));
        });
        _listener.Start();
    }

    public long Sum(string name, params (string Key, object Value)[] tags) =>
        _measurements
            .Where(m => m.Name == name && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value)))
            .Sum(m => m.Value);

    /// <summary>Reads the observable (int) instruments now and returns the measurements of <paramref name="name"/>.</summary>
    public IReadOnlyList<(int Value, Dictionary<string, object?> Tags)> Observe(string name)
    {
        lock (_observeLock)
        {
            _observed.Clear();
            _listener.RecordObservableInstruments();
            return _observed.Where(m => m.Name == name).Select(m => (m.Value, m.Tags)).ToList();
        }
    }

    public void Dispose() => _listener.Dispose();
}
