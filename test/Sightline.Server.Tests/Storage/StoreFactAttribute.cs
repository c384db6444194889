using Xunit.Sdk;

namespace Sightline.Server.Tests.Storage;

/// <summary>
/// A fact that runs against a store: skipped with a visible reason when its class is marked
/// <see cref="RequiresPostgresAttribute"/> and no PostgreSQL is configured (and CI is not set).
/// </summary>
[XunitTestCaseDiscoverer("Sightline.Server.Tests.Storage.StoreFactDiscoverer", "Sightline.Server.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;
