using System.Text.Json;
using CsCheck;
using GeoGrains.Crdts;

namespace GeoGrains.Tests.Crdts;

/// <summary>
/// Random histories of three regions' copies of one CRDT: each step either changes one region's copy (an operation of
/// the type, chosen by <c>Kind</c> and <c>Arg</c>) or merges another region's copy into it. The states the history passes
/// through are the reachable ones the join laws must hold for.
/// </summary>
internal static class CrdtHistory
{
    public static readonly RegionId[] Regions = ["us-east", "eu-west", "apac-east"];

    public const int MergeKind = 4;

    /// <summary>Steps: kind 0–3 an operation, 4 a merge from <c>Other</c>; <c>Arg</c> picks the operation's argument.</summary>
    public static readonly Gen<(int Kind, int Replica, int Other, int Arg)[]> Steps =
        Gen.Select(Gen.Int[0, MergeKind], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[0, 5]).Array[1, 40];

    /// <summary>Every state the history passed through, and the three copies at its end.</summary>
    public static (List<T> Seen, T[] Final) Run<T>(T empty, (int Kind, int Replica, int Other, int Arg)[] steps, Func<T, RegionId, int, int, long, T> operation)
        where T : ICrdt<T>
    {
        var (seen, byRegion) = RunByRegion(empty, steps, operation);
        return (seen, [.. byRegion.Select(copies => copies[^1])]);
    }

    /// <summary>Every state the history passed through, and each region's copies in the order it held them (from empty).</summary>
    public static (List<T> Seen, List<T>[] ByRegion) RunByRegion<T>(T empty, (int Kind, int Replica, int Other, int Arg)[] steps, Func<T, RegionId, int, int, long, T> operation)
        where T : ICrdt<T>
    {
        var byRegion = Regions.Select(_ => new List<T> { empty }).ToArray();
        var seen = new List<T> { empty };
        long clock = 0;
        foreach (var (kind, replica, other, arg) in steps)
        {
            var current = byRegion[replica][^1];
            var next = kind == MergeKind ? current.Merge(byRegion[other][^1]) : operation(current, Regions[replica], kind, arg, ++clock);
            byRegion[replica].Add(next);
            seen.Add(next);
        }

        return (seen, byRegion);
    }

    /// <summary>The join of every copy.</summary>
    public static T MergeAll<T>(IEnumerable<T> copies)
        where T : ICrdt<T> => copies.Aggregate((a, b) => a.Merge(b));

    public static byte[] Bytes<T>(T state) => JsonSerializer.SerializeToUtf8Bytes(state);

    /// <summary>Commutative, associative, idempotent, on three states of the history, compared by value and byte for byte.</summary>
    public static void AssertJoinLaws<T>(T a, T b, T c)
        where T : ICrdt<T>
    {
        Same(a.Merge(b), b.Merge(a), "commutative");
        Same(a.Merge(b).Merge(c), a.Merge(b.Merge(c)), "associative");
        Same(a.Merge(a), a, "idempotent");
        Same(a.Merge(b).Merge(b), a.Merge(b), "idempotent after a merge");
    }

    /// <summary>The state survives a JSON round trip (grain state is stored and shipped as JSON) unchanged, byte for byte.</summary>
    public static void AssertJsonRoundTrip<T>(T state)
    {
        var bytes = Bytes(state);
        var back = JsonSerializer.Deserialize<T>(bytes)!;
        Assert.Equal(state, back);
        Assert.Equal(bytes, Bytes(back));
    }

    public static void Same<T>(T x, T y, string law)
    {
        Assert.True(Equals(x, y), $"{law}: {Text(x)} != {Text(y)}");
        Assert.True(Bytes(x).AsSpan().SequenceEqual(Bytes(y)), $"{law}: equal but not byte-identical: {Text(x)} vs {Text(y)}");
    }

    private static string Text<T>(T state) => System.Text.Encoding.UTF8.GetString(Bytes(state));

    /// <summary>Runs the laws and the round trip over random histories of one type.</summary>
    public static void Check<T>(T empty, Func<T, RegionId, int, int, long, T> operation, Action<(int Kind, int Replica, int Other, int Arg)[], T>? semantics = null)
        where T : ICrdt<T> =>
        Gen.Select(Steps, Gen.Int[0, 1000], Gen.Int[0, 1000], Gen.Int[0, 1000]).Sample((steps, i, j, k) =>
        {
            var (seen, final) = Run(empty, steps, operation);
            AssertJoinLaws(seen[i % seen.Count], seen[j % seen.Count], seen[k % seen.Count]);
            AssertJoinLaws(final[0], final[1], final[2]);
            AssertJsonRoundTrip(final[i % 3]);

            // Converged: every order of merging the three copies ends in the same bytes.
            var orders = new[] { new[] { 0, 1, 2 }, [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0] };
            var merged = orders.Select(o => MergeAll(o.Select(x => final[x]))).ToList();
            Assert.All(merged, m => Same(m, merged[0], "the same state in every merge order"));
            semantics?.Invoke(steps, merged[0]);
        }, iter: 300);
}
