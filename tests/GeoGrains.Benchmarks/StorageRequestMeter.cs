using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace GeoGrains.Benchmarks;

/// <summary>
/// Counts the HTTP requests this process sends to each Azurite (by port) and the time they took, from .NET's own
/// <c>System.Net.Http</c> metrics. It sees every client of the account alike: GeoGrains' table and Orleans' grain storage,
/// so a geo write and a plain Orleans write are counted the same way.
/// </summary>
internal sealed class StorageRequestMeter : IDisposable
{
    private readonly ConcurrentDictionary<(int Port, string Method), Counter> _requests = new();
    private readonly MeterListener _listener = new();

    public StorageRequestMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "System.Net.Http" && instrument.Name == "http.client.request.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            int? port = null;
            var method = "?";
            foreach (var tag in tags)
            {
                if (tag.Key == "server.port" && tag.Value is int p)
                {
                    port = p;
                }
                else if (tag.Key == "http.request.method" && tag.Value is string m)
                {
                    method = m;
                }
            }

            if (port is { } known)
            {
                var counter = _requests.GetOrAdd((known, method), static _ => new Counter());
                Interlocked.Increment(ref counter.Requests);
                Interlocked.Add(ref counter.Ticks, (long)(seconds * TimeSpan.TicksPerSecond));
            }
        });
        _listener.Start();
    }

    /// <summary>Requests to <paramref name="port"/> so far, and the time the client waited for them.</summary>
    public StorageRequests Get(int port) =>
        _requests.Where(r => r.Key.Port == port).Aggregate(default(StorageRequests), (sum, r) => sum + r.Value.Read());

    /// <summary>Requests to <paramref name="port"/> so far by HTTP method (PUT: one row, POST: an entity group transaction or an insert, GET, DELETE).</summary>
    public IReadOnlyDictionary<string, StorageRequests> ByMethod(int port) =>
        _requests.Where(r => r.Key.Port == port).ToDictionary(r => r.Key.Method, r => r.Value.Read());

    public void Dispose() => _listener.Dispose();

    private sealed class Counter
    {
        public long Requests;
        public long Ticks;

        public StorageRequests Read() => new(Interlocked.Read(ref Requests), TimeSpan.FromTicks(Interlocked.Read(ref Ticks)));
    }
}

/// <summary>HTTP requests to one storage endpoint and the client-side time they took.</summary>
internal readonly record struct StorageRequests(long Requests, TimeSpan Elapsed)
{
    public static StorageRequests operator -(StorageRequests a, StorageRequests b) => new(a.Requests - b.Requests, a.Elapsed - b.Elapsed);

    public static StorageRequests operator +(StorageRequests a, StorageRequests b) => new(a.Requests + b.Requests, a.Elapsed + b.Elapsed);

    /// <summary>Mean time of one request, in milliseconds.</summary>
    public double MeanMs => Requests == 0 ? 0 : Elapsed.TotalMilliseconds / Requests;
}
