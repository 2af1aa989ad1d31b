using System.Text.Json;

namespace GeoGrains.Runtime.Storage;

/// <summary>How a geo grain's state is stored and shipped: System.Text.Json, so every region reads it whatever its build.</summary>
internal static class GeoStateSerializer
{
    public static byte[] Serialize<TState>(TState state) => JsonSerializer.SerializeToUtf8Bytes(state);

    public static TState Deserialize<TState>(byte[] state) =>
        JsonSerializer.Deserialize<TState>(state) ?? throw new InvalidDataException($"Stored state of type {typeof(TState).Name} is null.");
}
