using GeoGrains.Client;
using GeoGrains.Calls;
using GeoGrains.Client.Regions;
using GeoGrains.Client.Routing;
using Orleans.Runtime;

namespace GeoGrains.Tests.Client;

public sealed class GeoCallInvokerTests
{
    private static readonly RegionId Us = "us-east";
    private static readonly RegionId Eu = "eu-west";
    private static readonly GeoCall Read = new("IAccount.Balance", "IAccount/alice", IsReadOnly: true);
    private static readonly GeoCall Write = new("IAccount.Deposit", "IAccount/alice", IsReadOnly: false);

    private static GeoClientSettings Settings(bool direct = false, int callTimeoutMs = 5_000) => GeoClientSettings.Validate(new GeoGrainsClientOptions
    {
        Regions =
        [
            new GeoClientRegionOptions { Name = "us-east", Gateways = ["127.0.0.1:1"] },
            new GeoClientRegionOptions { Name = "eu-west", Gateways = ["127.0.0.1:2"] },
        ],
        CallTimeout = TimeSpan.FromMilliseconds(callTimeoutMs),
        DirectHomeRouting = direct,
    });

    private static GeoCallInvoker Invoker(FakeRouter router, GeoClientSettings? settings = null, GeoSession? session = null, OwnerCache? owners = null)
    {
        var s = session ?? new GeoSession();
        return new GeoCallInvoker(router, settings ?? Settings(), () => s, owners ?? new OwnerCache(), TimeProvider.System);
    }

    [Fact]
    public async Task A_call_that_cannot_reach_the_current_region_goes_to_the_next_one_reads_and_writes_alike()
    {
        var router = new FakeRouter([Us, Eu]) { Unreachable = { Us } };
        var invoker = Invoker(router);

        Assert.Equal("eu-west", await invoker.InvokeAsync(Read, f => Task.FromResult(((FakeFactory)f).Region.Value)));
        Assert.Equal("eu-west", await invoker.InvokeAsync(Write, f => Task.FromResult(((FakeFactory)f).Region.Value)));
        Assert.Contains(Us, router.MarkedDown);
    }

    [Fact]
    public async Task A_read_whose_connection_fails_in_flight_is_sent_again_to_the_next_region()
    {
        var router = new FakeRouter([Us, Eu]);
        var sentTo = new List<RegionId>();

        var result = await Invoker(router).InvokeAsync(Read, f =>
        {
            var region = ((FakeFactory)f).Region;
            sentTo.Add(region);
            return region == Us ? Task.FromException<int>(new SiloUnavailableException("gateway closed")) : Task.FromResult(42);
        });

        Assert.Equal(42, result);
        Assert.Equal([Us, Eu], sentTo);
        Assert.Contains(Us, router.MarkedDown);
    }

    [Fact]
    public async Task A_write_whose_connection_fails_in_flight_is_not_retried_and_says_its_outcome_is_unknown()
    {
        var router = new FakeRouter([Us, Eu]);
        var sentTo = new List<RegionId>();

        var error = await Assert.ThrowsAsync<WriteOutcomeUnknownException>(() => Invoker(router).InvokeAsync(Write, f =>
        {
            sentTo.Add(((FakeFactory)f).Region);
            return Task.FromException<int>(new SiloUnavailableException("gateway closed"));
        }));

        Assert.Equal([Us], sentTo);
        Assert.Equal(Us, error.Region);
        Assert.Contains("IAccount.Deposit", error.Message);
    }

    [Fact]
    public async Task A_write_to_a_geo_grain_whose_connection_fails_in_flight_is_sent_again_with_the_same_key_and_a_plain_grains_is_not()
    {
        var router = new FakeRouter([Us, Eu]);
        var invoker = Invoker(router);
        var geoWrite = Write with { Interface = typeof(IGeoAccount) };
        var keys = new List<(RegionId Region, string? Key)>();

        // A first answer with GeoCallInfo shows the interface is a geo grain's, whose owner honours keys.
        await invoker.InvokeAsync(geoWrite, f =>
        {
            GeoCallRelay.Current?.Record(new GeoCallInfo(((FakeFactory)f).Region, Us, false, 1, default, TimeSpan.Zero, string.Empty));
            return Task.FromResult(0);
        });

        var result = await invoker.InvokeAsync(geoWrite, f =>
        {
            var region = ((FakeFactory)f).Region;
            keys.Add((region, GeoContext.Current?.IdempotencyKey));
            return region == Us ? Task.FromException<int>(new SiloUnavailableException("reply lost")) : Task.FromResult(7);
        });

        Assert.Equal(7, result);
        Assert.Equal([Us, Eu], keys.Select(k => k.Region));
        Assert.NotNull(keys[0].Key);
        Assert.Equal(keys[0].Key, keys[1].Key);

        // An interface never answered by a geo grain may be a plain Orleans grain, which would apply the write twice.
        var plain = Write with { Interface = typeof(IPlainAccount) };
        await Assert.ThrowsAsync<WriteOutcomeUnknownException>(() => Invoker(new FakeRouter([Us, Eu])).InvokeAsync(
            plain, _ => Task.FromException<int>(new SiloUnavailableException("reply lost"))));
    }

    [Fact]
    public async Task A_write_to_an_active_active_grain_is_not_sent_to_another_region_whose_copy_would_apply_it_again()
    {
        var invoker = Invoker(new FakeRouter([Us, Eu]));
        var write = Write with { Interface = typeof(IActiveActiveAccount) };
        await invoker.InvokeAsync(write, f =>
        {
            GeoCallRelay.Current?.Record(new GeoCallInfo(((FakeFactory)f).Region, Us, false, 1, default, TimeSpan.Zero, string.Empty, ActiveActive: true));
            return Task.FromResult(0);
        });

        var sentTo = new List<RegionId>();
        using (GeoContext.Idempotent("app-key"))
        {
            await Assert.ThrowsAsync<WriteOutcomeUnknownException>(() => invoker.InvokeAsync(write, f =>
            {
                sentTo.Add(((FakeFactory)f).Region);
                return Task.FromException<int>(new SiloUnavailableException("reply lost"));
            }));
        }

        Assert.Equal([Us], sentTo);
    }

    [Fact]
    public async Task A_read_in_flight_moves_to_the_next_region_when_its_region_goes_down_and_a_write_reports_unknown()
    {
        var router = new FakeRouter([Us, Eu]);
        var hung = new TaskCompletionSource<int>();

        var read = Invoker(router).InvokeAsync(Read, f => ((FakeFactory)f).Region == Us ? hung.Task : Task.FromResult(7));
        var write = Invoker(router).InvokeAsync(Write, f => ((FakeFactory)f).Region == Us ? hung.Task : Task.FromResult(7));
        router.GoDown(Us);

        Assert.Equal(7, await read);
        var error = await Assert.ThrowsAsync<WriteOutcomeUnknownException>(() => write);
        Assert.Contains("went down", error.Message);
    }

    [Fact]
    public async Task When_no_region_can_serve_a_call_it_fails_naming_every_region_tried_and_why()
    {
        var router = new FakeRouter([Us, Eu]) { Unreachable = { Us, Eu } };

        var error = await Assert.ThrowsAsync<NoRegionAvailableException>(() => Invoker(router).InvokeAsync(Write, _ => Task.FromResult(1)));

        Assert.Equal([Us, Eu], error.RegionsTried);
        Assert.Contains("'us-east': refused in the test", error.Message);
        Assert.Contains("'eu-west': refused in the test", error.Message);
    }

    [Fact]
    public async Task A_read_that_never_answers_fails_at_the_call_deadline()
    {
        var router = new FakeRouter([Us]);

        var error = await Assert.ThrowsAsync<NoRegionAvailableException>(() =>
            Invoker(router, Settings(callTimeoutMs: 200)).InvokeAsync(Read, _ => new TaskCompletionSource<int>().Task));

        Assert.Contains("no answer within the call's deadline", error.Message);
    }

    [Fact]
    public async Task The_apps_own_exceptions_pass_through_unretried()
    {
        var router = new FakeRouter([Us, Eu]);
        var calls = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(() => Invoker(router).InvokeAsync<int>(Read, _ =>
        {
            calls++;
            throw new InvalidOperationException("insufficient funds");
        }));

        Assert.Equal(1, calls);
        Assert.Empty(router.MarkedDown);
    }

    [Fact]
    public async Task Every_call_carries_the_clients_session_unless_the_apps_scope_has_its_own()
    {
        var router = new FakeRouter([Us]);
        var clientSession = new GeoSession();
        var invoker = Invoker(router, session: clientSession);

        var carried = await invoker.InvokeAsync(Read, _ => Task.FromResult(GeoContext.Current?.Session));
        Assert.Same(clientSession, carried);

        var appSession = new GeoSession();
        using (GeoContext.Session(appSession))
        {
            Assert.Same(appSession, await invoker.InvokeAsync(Read, _ => Task.FromResult(GeoContext.Current?.Session)));
        }

        // The client's scope does not leak into the app's flow.
        Assert.Null(GeoContext.Current);
    }

    [Fact]
    public async Task With_direct_home_routing_writes_go_to_the_owner_a_response_named_and_reads_stay_on_the_current_region()
    {
        var router = new FakeRouter([Us, Eu]);
        var owners = new OwnerCache();
        var invoker = Invoker(router, Settings(direct: true), owners: owners);
        var sentTo = new List<RegionId>();
        Task<int> Send(IGrainFactory f)
        {
            sentTo.Add(((FakeFactory)f).Region);
            GeoCallRelay.Current?.Record(new GeoCallInfo(((FakeFactory)f).Region, Eu, false, 1, default, TimeSpan.Zero, string.Empty));
            return Task.FromResult(1);
        }

        await invoker.InvokeAsync(Write, Send);
        await invoker.InvokeAsync(Write, Send);
        await invoker.InvokeAsync(Read, Send);

        Assert.Equal([Us, Eu, Us], sentTo);
        Assert.Equal(Eu, owners.OwnerOf(Write.Grain));
    }

    private sealed class FakeFactory(RegionId region) : IGrainFactory
    {
        public RegionId Region => region;

        public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidKey => throw new NotSupportedException();
        public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerKey => throw new NotSupportedException();
        public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithStringKey => throw new NotSupportedException();
        public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidCompoundKey => throw new NotSupportedException();
        public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerCompoundKey => throw new NotSupportedException();
        public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver => throw new NotSupportedException();
        public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver => throw new NotSupportedException();
        public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => throw new NotSupportedException();
        public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => throw new NotSupportedException();
        public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => throw new NotSupportedException();
        public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => throw new NotSupportedException();
        public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => throw new NotSupportedException();
        public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable => throw new NotSupportedException();
        public IAddressable GetGrain(GrainId grainId) => throw new NotSupportedException();
        public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => throw new NotSupportedException();
        public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainKey, string grainClassNamePrefix) => throw new NotSupportedException();
        public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainKey) => throw new NotSupportedException();
    }

    /// <summary>Regions in a fixed order; some refuse connections; any can be taken down, which raises its signal.</summary>
    private sealed class FakeRouter(IReadOnlyList<RegionId> order) : IRegionRouter
    {
        private readonly Dictionary<RegionId, TaskCompletionSource> _down = order.ToDictionary(r => r, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        public HashSet<RegionId> Unreachable { get; } = [];

        public List<RegionId> MarkedDown { get; } = [];

        public void GoDown(RegionId region) => _down[region].TrySetResult();

        public IReadOnlyList<RegionId> CallOrder(RegionId? first) => first is { } f ? [f, .. order.Where(r => r != f)] : order;

        public Task<IGrainFactory> ConnectAsync(RegionId region, TimeSpan timeout, CancellationToken cancellationToken) =>
            Unreachable.Contains(region)
                ? Task.FromException<IGrainFactory>(new RegionNotReachedException(region, "refused in the test"))
                : Task.FromResult<IGrainFactory>(new FakeFactory(region));

        public Task DownSignal(RegionId region) => _down[region].Task;

        public void ReportFailure(RegionId region, string reason, IGrainFactory? broken) => MarkedDown.Add(region);

        public void ReportAnswer(RegionId region)
        {
        }
    }

    private interface IGeoAccount;

    private interface IPlainAccount;

    private interface IActiveActiveAccount;
}
