namespace GeoGrains.Runtime.Writes;

/// <summary>
/// One turn at a time on a geo grain's activation: a write, a strong read, a hand-off, a reconciliation or an
/// active-active resolution. Held outside the activation's Orleans turn (the grain is reentrant), so that a write waiting
/// for acknowledgements or a forwarded call never deadlocks. Only the write turn (<see cref="GeoWritePath"/>) enters it; an
/// architecture test keeps it so.
/// </summary>
internal sealed class GrainWriteLock
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _waiting;

    /// <summary>How many callers wait for the turn now (the holder not counted).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Waits for the turn; disposing the result gives it back.</summary>
    public async ValueTask<Held> EnterAsync()
    {
        if (!_turn.Wait(0))
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                await _turn.WaitAsync();
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        return new Held(_turn);
    }

    /// <summary>The turn, held until disposed.</summary>
    public readonly struct Held(SemaphoreSlim turn) : IDisposable
    {
        public void Dispose() => turn.Release();
    }
}
