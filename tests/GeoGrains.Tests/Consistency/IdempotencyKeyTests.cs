using GeoGrains.Calls;
using GeoGrains.Runtime.Calls;

namespace GeoGrains.Tests.Consistency;

public sealed class IdempotencyKeyTests
{
    public static TheoryData<string?, string> BadKeys => new()
    {
        { null, "not null" },
        { "", "non-empty string" },
        { "   ", "non-empty string" },
        { new string('x', 129), "129 characters long; at most 128" },
        { "line\nbreak", "control characters" },
    };

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void A_bad_key_is_refused_when_the_scope_is_made_naming_the_problem(string? key, string expected)
    {
        var refused = Assert.Throws<InvalidIdempotencyKeyException>(() => GeoContext.Idempotent(key!));
        Assert.Contains(expected, refused.Message);
        Assert.Null(GeoContext.Current);
    }

    [Fact]
    public void A_key_applies_to_the_scope_and_the_scopes_inside_it_until_disposed()
    {
        var key = Guid.NewGuid().ToString();
        using (var scope = GeoContext.Idempotent(key))
        {
            Assert.Equal(key, scope.IdempotencyKey);
            using var inner = GeoContext.Write(Durability.Sync);
            Assert.Equal(key, inner.IdempotencyKey);
            Assert.Equal(Durability.Sync, inner.Write);
        }

        Assert.Null(GeoContext.Current);
        using var longest = GeoContext.Use(idempotencyKey: new string('k', IdempotencyKeys.MaxLength));
        Assert.Equal(IdempotencyKeys.MaxLength, longest.IdempotencyKey!.Length);
    }

    [Fact]
    public void A_silo_takes_the_key_off_the_call_and_refuses_a_bad_one()
    {
        RequestContext.Set(GeoCallHeaders.IdempotencyKey, "order-17");
        var route = GeoCallRoute.Take();
        Assert.Equal("order-17", route.IdempotencyKey);
        Assert.Null(RequestContext.Get(GeoCallHeaders.IdempotencyKey)); // calls the grain makes do not carry it on

        RequestContext.Set(GeoCallHeaders.IdempotencyKey, new string('x', 200));
        Assert.Contains("200 characters", Assert.Throws<InvalidIdempotencyKeyException>(() => GeoCallRoute.Take()).Message);

        RequestContext.Set(GeoCallHeaders.IdempotencyKey, 42);
        Assert.Contains("must be a string", Assert.Throws<InvalidIdempotencyKeyException>(() => GeoCallRoute.Take()).Message);
        RequestContext.Clear();
    }
}
