using System.Text.Json;

namespace GeoGrains.Crdts;

/// <summary>
/// The one order in which CRDT copies list their elements, the same in every region and process, so that copies which
/// hold the same elements serialize to the same bytes: ordinal for strings, the type's own order for comparable types,
/// and the JSON bytes otherwise.
/// </summary>
internal static class CrdtOrder
{
    public static int Compare<T>(T a, T b)
    {
        if (a is string x && b is string y)
        {
            return string.CompareOrdinal(x, y);
        }

        if (a is IComparable<T> comparable)
        {
            return b is null ? 1 : comparable.CompareTo(b);
        }

        return JsonSerializer.SerializeToUtf8Bytes(a).AsSpan().SequenceCompareTo(JsonSerializer.SerializeToUtf8Bytes(b));
    }

    public static Comparer<T> For<T>() => Comparer<T>.Create(Compare);
}
