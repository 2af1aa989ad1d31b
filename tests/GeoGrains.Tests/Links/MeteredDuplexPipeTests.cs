using System.IO.Pipelines;
using GeoGrains.Runtime.Links;

namespace GeoGrains.Tests.Links;

public sealed class MeteredDuplexPipeTests
{
    [Fact]
    public async Task Counts_bytes_written_and_bytes_consumed()
    {
        var toPeer = new Pipe();
        var fromPeer = new Pipe();
        long sent = 0, received = 0;
        var pipe = new MeteredDuplexPipe(new DuplexPipe(fromPeer.Reader, toPeer.Writer), n => sent += n, n => received += n);

        await pipe.Output.WriteAsync(new byte[100]);
        await pipe.Output.WriteAsync(new byte[23]);
        await fromPeer.Writer.WriteAsync(new byte[50]);

        var read = await pipe.Input.ReadAsync();
        // Consume part of the buffer: only consumed bytes count, the rest is counted when consumed later.
        pipe.Input.AdvanceTo(read.Buffer.GetPosition(20), read.Buffer.End);
        Assert.Equal(20, received);

        await fromPeer.Writer.WriteAsync(new byte[5]);
        read = await pipe.Input.ReadAsync();
        pipe.Input.AdvanceTo(read.Buffer.End);

        Assert.Equal(123, sent);
        Assert.Equal(55, received);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
