namespace GeoGrains.Calls;

/// <summary>
/// Where a silo that forwards a call to the owner region collects what served it there, to hand it on to its own caller:
/// set around the forwarded call, read after it.
/// </summary>
internal sealed class GeoCallRelay
{
    private static readonly AsyncLocal<GeoCallRelay?> Slot = new();

    public static GeoCallRelay? Current => Slot.Value;

    public GeoCallInfo? Info { get; private set; }

    /// <summary>Collects the info of the calls made in the current flow until the returned scope is disposed.</summary>
    public static Scope Begin()
    {
        var relay = new GeoCallRelay();
        var previous = Slot.Value;
        Slot.Value = relay;
        return new Scope(relay, previous);
    }

    public void Record(GeoCallInfo info) => Info = info;

    public sealed class Scope(GeoCallRelay relay, GeoCallRelay? previous) : IDisposable
    {
        public GeoCallRelay Relay => relay;

        public void Dispose() => Slot.Value = previous;
    }
}
