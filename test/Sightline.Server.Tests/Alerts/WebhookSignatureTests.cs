using System.Text;
using Sightline.Server.Monitoring;

namespace Sightline.Server.Tests.Alerts;

public sealed class WebhookSignatureTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"a\":1}");

    [Fact]
    public void Compute_KnownVector_MatchesTheDocumentedFormula()
        // python3: "sha256=" + hmac.new(b"whsec-test-secret-1234", b"1700000000." + b'{"a":1}', hashlib.sha256).hexdigest()
        => Assert.Equal("sha256=5c7610047682fe50dac73fd14b2de7d3c803e9b9c46ce13a311c4e0cf88db3af", WebhookSignature.Compute("whsec-test-secret-1234", 1700000000, Body));

    [Theory]
    [InlineData("1700000001", "sha256=5c7610047682fe50dac73fd14b2de7d3c803e9b9c46ce13a311c4e0cf88db3af")] // other timestamp
    [InlineData("1700000000", "sha256=5c7610047682fe50dac73fd14b2de7d3c803e9b9c46ce13a311c4e0cf88db3a")] // truncated
    [InlineData("1700000000", "SHA256=5c7610047682fe50dac73fd14b2de7d3c803e9b9c46ce13a311c4e0cf88db3af")] // not the exact form
    [InlineData("-1", "sha256=5c7610047682fe50dac73fd14b2de7d3c803e9b9c46ce13a311c4e0cf88db3af")]
    [InlineData(null, "sha256=5c7610047682fe50dac73fd14b2de7d3c803e9b9c46ce13a311c4e0cf88db3af")]
    [InlineData("1700000000", null)]
    public void Verify_AnythingButTheExactSignature_IsRejected(string? timestamp, string? signature)
        => Assert.False(WebhookSignature.Verify("whsec-test-secret-1234", timestamp, signature, Body));

    [Fact]
    public void Verify_ExactSignature_IsAccepted()
        => Assert.True(WebhookSignature.Verify("whsec-test-secret-1234", "1700000000", "sha256=5c7610047682fe50dac73fd14b2de7d3c803e9b9c46ce13a311c4e0cf88db3af", Body));
}
