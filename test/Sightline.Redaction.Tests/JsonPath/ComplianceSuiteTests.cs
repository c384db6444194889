using Sightline.Conformance;

namespace Sightline.Redaction.Tests.JsonPath;

public sealed class ComplianceSuiteTests
{
    [Fact]
    public void Rfc9535ComplianceSuite_AllTestsPass()
    {
        var outcomes = ComplianceSuite.Run(RepoPaths.ComplianceSuite);

        var failures = outcomes.Where(o => !o.Passed).Select(o => $"{o.Name} [{o.Selector}]: {o.Failure}").ToList();
        Assert.True(outcomes.Count >= 703, $"expected the full suite, got {outcomes.Count} tests");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}
