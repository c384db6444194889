using Xunit.Abstractions;
using Xunit.Sdk;

namespace Sightline.Server.Tests.Storage;

/// <summary>Discovers <see cref="StoreFactAttribute"/> tests; PostgreSQL ones carry a skip reason when no server is configured.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        var needsPostgres = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute)).Any();
        yield return needsPostgres
            ? new PostgresTestCase(diagnosticMessageSink, display, displayOptions, testMethod)
            : new XunitTestCase(diagnosticMessageSink, display, displayOptions, testMethod);
    }
}

/// <summary>A test case whose skip reason is decided from the environment (<see cref="PostgresTestDatabase.SkipReason"/>).</summary>
public sealed class PostgresTestCase : XunitTestCase
{
    [Obsolete("For deserialization only.")]
    public PostgresTestCase()
    {
    }

    public PostgresTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod testMethod)
        : base(sink, display, displayOptions, testMethod)
    {
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) => PostgresTestDatabase.SkipReason ?? base.GetSkipReason(factAttribute);
}
