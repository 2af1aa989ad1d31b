using Orleans.Runtime;

namespace GeoGrains.Client.Routing;

/// <summary>
/// The <see cref="IClusterClient"/> / <see cref="IGrainFactory"/> the app gets from DI: grain references it returns send
/// each call to the region the client chooses, failing over between regions. What is bound to one connection (observer
/// references, <see cref="GetGrain(GrainId)"/> without an interface, <see cref="ServiceProvider"/> for streams) uses the
/// current region's client as it is.
/// </summary>
internal sealed class RegionAwareClusterClient(GeoClient client) : IClusterClient
{
    public IServiceProvider ServiceProvider => client.CurrentClient("IClusterClient.ServiceProvider").ServiceProvider;

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidKey =>
        Proxy<TGrainInterface>(f => f.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix), primaryKey.ToString("N"), grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerKey =>
        Proxy<TGrainInterface>(f => f.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix), primaryKey.ToString(System.Globalization.CultureInfo.InvariantCulture), grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithStringKey =>
        Proxy<TGrainInterface>(f => f.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix), primaryKey, grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidCompoundKey =>
        Proxy<TGrainInterface>(f => f.GetGrain<TGrainInterface>(primaryKey, keyExtension, grainClassNamePrefix), $"{primaryKey:N}+{keyExtension}", grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerCompoundKey =>
        Proxy<TGrainInterface>(f => f.GetGrain<TGrainInterface>(primaryKey, keyExtension, grainClassNamePrefix), $"{primaryKey}+{keyExtension}", grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable =>
        typeof(TGrainInterface).IsInterface
            ? Proxy<TGrainInterface>(f => f.GetGrain<TGrainInterface>(grainId), grainId.ToString(), null)
            : client.CurrentClient("GetGrain").GetGrain<TGrainInterface>(grainId);

    public IAddressable GetGrain(GrainId grainId) => client.CurrentClient("GetGrain").GetGrain(grainId);

    public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => client.CurrentClient("GetGrain").GetGrain(grainId, interfaceType);

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) =>
        (IGrain)Proxy(grainInterfaceType, f => f.GetGrain(grainInterfaceType, grainPrimaryKey), grainPrimaryKey.ToString("N"), null);

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) =>
        (IGrain)Proxy(grainInterfaceType, f => f.GetGrain(grainInterfaceType, grainPrimaryKey), grainPrimaryKey.ToString(System.Globalization.CultureInfo.InvariantCulture), null);

    public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) =>
        (IGrain)Proxy(grainInterfaceType, f => f.GetGrain(grainInterfaceType, grainPrimaryKey), grainPrimaryKey, null);

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) =>
        (IGrain)Proxy(grainInterfaceType, f => f.GetGrain(grainInterfaceType, grainPrimaryKey, keyExtension), $"{grainPrimaryKey:N}+{keyExtension}", null);

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) =>
        (IGrain)Proxy(grainInterfaceType, f => f.GetGrain(grainInterfaceType, grainPrimaryKey, keyExtension), $"{grainPrimaryKey}+{keyExtension}", null);

    public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainKey) =>
        (IAddressable)Proxy(grainInterfaceType, f => f.GetGrain(grainInterfaceType, grainKey), grainKey.ToString(), null);

    public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainKey, string grainClassNamePrefix) =>
        (IAddressable)Proxy(grainInterfaceType, f => f.GetGrain(grainInterfaceType, grainKey, grainClassNamePrefix), grainKey.ToString(), grainClassNamePrefix);

    public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver =>
        client.CurrentClient("CreateObjectReference").CreateObjectReference<TGrainObserverInterface>(obj);

    public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver =>
        client.CurrentClient("DeleteObjectReference").DeleteObjectReference<TGrainObserverInterface>(obj);

    private TGrainInterface Proxy<TGrainInterface>(Func<IGrainFactory, TGrainInterface> resolve, string key, string? prefix) =>
        (TGrainInterface)Proxy(typeof(TGrainInterface), f => resolve(f)!, key, prefix);

    private object Proxy(Type grainInterface, Func<IGrainFactory, object> resolve, string key, string? prefix) =>
        GeoGrainProxy.Create(grainInterface, client.Invoker, resolve, $"{grainInterface.FullName}{(prefix is null ? "" : "[" + prefix + "]")}/{key}");
}
