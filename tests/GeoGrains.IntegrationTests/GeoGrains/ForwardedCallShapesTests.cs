using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.GeoGrains;

/// <summary>
/// A write arriving in a region that does not own the grain is forwarded to the owner; every method shape a grain
/// interface may have must arrive there whole and bring its result, or its exception, back. Each grain is homed in
/// us-east and called from eu-west, so each write below crosses the link once.
/// </summary>
public sealed class ForwardedCallShapesTests(TwoRegionsFixture fixture) : IClassFixture<TwoRegionsFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private GeoTestCluster Geo => fixture.Geo;

    private static string NewKey() => $"us-east/{Guid.NewGuid():N}";

    private IShapesGrain FromEuWest(string key) => Geo.Client("eu-west").GetGrain<IShapesGrain>(key);

    private async Task<IReadOnlyList<string>> LogAtOwner(string key) => (await Geo.Client("us-east").GetGrain<IShapesGrain>(key).Get()).Log;

    [Fact]
    public async Task A_generic_method_runs_at_the_owner_with_its_type_argument()
    {
        var key = NewKey();
        var grain = FromEuWest(key);

        var text = await grain.Echo("hello");
        var number = await grain.Echo(42);
        var record = await grain.Echo(new Tagged<int>("somewhere", 7));

        Assert.Equal(new Tagged<string>("us-east", "hello"), text);
        Assert.Equal(new Tagged<int>("us-east", 42), number);
        Assert.Equal(new Tagged<Tagged<int>>("us-east", new Tagged<int>("somewhere", 7)), record);
        Assert.Equal(
            ["echo<String>:hello@us-east", "echo<Int32>:42@us-east", $"echo<Tagged`1>:{new Tagged<int>("somewhere", 7)}@us-east"],
            await LogAtOwner(key));
    }

    [Fact]
    public async Task A_read_only_generic_method_is_served_where_it_arrives()
    {
        var key = NewKey();

        var peeked = await FromEuWest(key).Peek(3.5);

        Assert.Equal(new Tagged<double>("eu-west", 3.5), peeked);
    }

    [Fact]
    public async Task ValueTask_methods_with_and_without_a_result_run_at_the_owner()
    {
        var key = NewKey();
        var grain = FromEuWest(key);

        var result = await grain.ValueTaskWithResult("a");
        await grain.ValueTaskWrite("b");

        Assert.Equal(new Tagged<string>("us-east", "a"), result);
        Assert.Equal(["valuetask-result:a@us-east", "valuetask:b@us-east"], await LogAtOwner(key));
    }

    [Fact]
    public async Task A_Task_method_without_a_result_runs_at_the_owner_and_completes_after_it()
    {
        var key = NewKey();

        await FromEuWest(key).TaskWrite("c");

        // No polling: the forwarded call completes only once the owner has committed.
        Assert.Equal(["task:c@us-east"], await LogAtOwner(key));
    }

    [Fact]
    public async Task A_method_declared_on_a_base_interface_is_forwarded_and_its_read_only_sibling_is_not()
    {
        var key = NewKey();
        var grain = FromEuWest(key);

        var written = await grain.InheritedWrite("d");
        var readIn = await grain.InheritedRead();
        var readThroughBase = await Geo.Client("eu-west").GetGrain<IShapesBaseGrain>(key).InheritedRead();
        var writtenThroughBase = await Geo.Client("eu-west").GetGrain<IShapesBaseGrain>(key).InheritedWrite("e");

        Assert.Equal(new Tagged<string>("us-east", "d"), written);
        Assert.Equal("eu-west", readIn.Value);
        Assert.Equal("eu-west", readThroughBase.Value);
        Assert.Equal(new Tagged<string>("us-east", "e"), writtenThroughBase);
        Assert.Equal(["inherited:d@us-east", "inherited:e@us-east"], await LogAtOwner(key));
    }

    [Fact]
    public async Task A_token_that_is_not_cancelled_reaches_the_owner_uncancelled()
    {
        var key = NewKey();
        var grain = FromEuWest(key);
        using var source = new CancellationTokenSource();

        var withLiveToken = await grain.WriteWithToken("f", source.Token);
        var withNone = await grain.WriteWithToken("g", CancellationToken.None);

        // Orleans gives every receiving method a token of its own, so the owner sees one that can be cancelled either way.
        Assert.Equal(new TokenSeen("us-east", CanBeCanceled: true, IsCancellationRequested: false), withLiveToken);
        Assert.Equal(new TokenSeen("us-east", CanBeCanceled: true, IsCancellationRequested: false), withNone);
        Assert.Equal(["token:f@us-east", "token:g@us-east"], await LogAtOwner(key));
    }

    [Fact]
    public async Task Cancelling_a_forwarded_call_cancels_it_at_the_owner()
    {
        var key = NewKey();
        var id = Guid.NewGuid().ToString("N");
        using var source = new CancellationTokenSource();

        var call = FromEuWest(key).WaitForCancellation(id, source.Token);
        await Eventually.Succeeds(
            async () => (await LogAtOwner(key)).Contains($"started:{id}@us-east") ? true : throw new InvalidOperationException("not started at the owner"),
            Timeout,
            "the forwarded call starts at the owner");
        await source.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        var log = await Eventually.Succeeds(
            async () => await LogAtOwner(key) is var entries && entries.Contains($"cancelled:{id}@us-east") ? entries : throw new InvalidOperationException("not cancelled at the owner"),
            Timeout,
            "the owner sees the cancellation");
        Assert.Equal([$"started:{id}@us-east", $"cancelled:{id}@us-east"], log);
    }

    [Fact]
    public async Task An_exception_thrown_by_the_owner_reaches_the_caller_with_its_type_and_message()
    {
        var key = NewKey();
        var grain = FromEuWest(key);

        var builtIn = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.FailWithInvalidOperation("no such thing"));
        var custom = await Assert.ThrowsAsync<ShapeRejectedException>(() => grain.FailWithCustomException("h"));

        Assert.Equal("no such thing (in us-east)", builtIn.Message);
        Assert.Equal("rejected 'h' in us-east", custom.Message);
        Assert.Equal("h", custom.Value);
    }
}
