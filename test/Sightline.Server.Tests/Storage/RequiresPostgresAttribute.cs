namespace Sightline.Server.Tests.Storage;

/// <summary>Marks a test class whose <see cref="StoreFactAttribute"/> tests need PostgreSQL (skipped visibly without one, never in CI).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute;
