using System.Buffers;
using System.IO.Pipelines;

namespace GeoGrains.Runtime.Links;

/// <summary>Counts the bytes written to and read from a connection's transport, per direction.</summary>
internal sealed class MeteredDuplexPipe(IDuplexPipe inner, Action<long> onSent, Action<long> onReceived) : IDuplexPipe
{
    public PipeReader Input { get; } = new CountingReader(inner.Input, onReceived);

    public PipeWriter Output { get; } = new CountingWriter(inner.Output, onSent);

    private sealed class CountingReader(PipeReader inner, Action<long> onConsumed) : PipeReader
    {
        private ReadOnlySequence<byte> _buffer;

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var result = await inner.ReadAsync(cancellationToken);
            _buffer = result.Buffer;
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            if (inner.TryRead(out result))
            {
                _buffer = result.Buffer;
                return true;
            }

            return false;
        }

        public override void AdvanceTo(SequencePosition consumed)
        {
            Count(consumed);
            inner.AdvanceTo(consumed);
        }

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            Count(consumed);
            inner.AdvanceTo(consumed, examined);
        }

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        private void Count(SequencePosition consumed)
        {
            var length = _buffer.Slice(_buffer.Start, consumed).Length;
            _buffer = default;
            onConsumed(length);
        }
    }

    private sealed class CountingWriter(PipeWriter inner, Action<long> onAdvanced) : PipeWriter
    {
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            inner.Advance(bytes);
            onAdvanced(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
