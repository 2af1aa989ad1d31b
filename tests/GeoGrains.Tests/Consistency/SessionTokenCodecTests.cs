using GeoGrains.Runtime.Calls;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Consistency;

public sealed class SessionTokenCodecTests
{

    [Fact]
    public void A_token_carries_what_the_session_has_seen()
    {
        var codec = Codec("service-a");
        var seen = SessionVector.Empty.Observe(UsEast, new HybridTimestamp(1_000, 2)).Observe(EuWest, new HybridTimestamp(2_000, 0));

        var read = codec.Read(codec.Write(seen));

        Assert.Equal(new HybridTimestamp(1_000, 2), read.Seen[UsEast]);
        Assert.Equal(new HybridTimestamp(2_000, 0), read.Seen[EuWest]);
    }

    [Fact]
    public void Seeing_an_older_version_does_not_move_the_session_back()
    {
        var seen = SessionVector.Empty.Observe(UsEast, new HybridTimestamp(5_000, 0)).Observe(UsEast, new HybridTimestamp(4_000, 9));

        Assert.Equal(new HybridTimestamp(5_000, 0), seen.Seen[UsEast]);
    }

    [Fact]
    public void No_token_is_an_empty_session() => Assert.Empty(Codec("service-a").Read(null).Seen);

    [Fact]
    public void A_token_from_another_service_is_refused_as_not_issued_here()
    {
        var token = Codec("service-a").Write(SessionVector.Empty.Observe(UsEast, new HybridTimestamp(1, 0)));

        var refused = Assert.Throws<InvalidSessionTokenException>(() => Codec("service-b").Read(token));

        Assert.Contains("was not issued by this service", refused.Message);
    }

    [Fact]
    public void A_token_whose_payload_was_changed_is_refused()
    {
        var codec = Codec("service-a");
        var token = codec.Write(SessionVector.Empty.Observe(UsEast, new HybridTimestamp(1_000, 0)));
        var parts = token.Split('.');
        var forged = codec.Write(SessionVector.Empty.Observe(UsEast, new HybridTimestamp(9_999_999, 0))).Split('.')[1];

        Assert.Throws<InvalidSessionTokenException>(() => codec.Read($"{parts[0]}.{forged}.{parts[2]}"));
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("gs1.onlyone")]
    [InlineData("gs1.!!!.???")]
    [InlineData("gs2.abc.def")]
    public void A_malformed_token_is_refused_naming_the_format(string token)
    {
        var refused = Assert.Throws<InvalidSessionTokenException>(() => Codec("service-a").Read(token));

        Assert.Contains("is not a GeoGrains session token", refused.Message);
    }

    [Fact]
    public void A_configured_key_must_be_base64_of_at_least_16_bytes()
    {
        Assert.Contains("not base64", Assert.Throws<InvalidTopologyException>(() => SessionTokenCodec.KeyOf("not a key!")).Message);
        Assert.Contains("has 4 bytes", Assert.Throws<InvalidTopologyException>(() => SessionTokenCodec.KeyOf(Convert.ToBase64String(new byte[4]))).Message);
    }

    [Fact]
    public void Regions_of_one_service_sharing_a_configured_key_accept_each_others_tokens()
    {
        var key = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        var token = Codec("service-a", key).Write(SessionVector.Empty.Observe(EuWest, new HybridTimestamp(7, 1)));

        Assert.Equal(new HybridTimestamp(7, 1), Codec("service-a", key).Read(token).Seen[EuWest]);
        Assert.Throws<InvalidSessionTokenException>(() => Codec("service-a").Read(token));
    }

    [Fact]
    public void A_client_session_refuses_a_token_that_is_not_one()
    {
        Assert.Throws<InvalidSessionTokenException>(() => GeoSession.Resume("cookie-value"));
        Assert.Equal(string.Empty, GeoSession.Resume(string.Empty).Token);
    }

    private static SessionTokenCodec Codec(string serviceId, string? key = null) =>
        new(key, serviceId);
}
