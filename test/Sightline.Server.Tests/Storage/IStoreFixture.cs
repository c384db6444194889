using Sightline.Server.Storage;

namespace Sightline.Server.Tests.Storage;

/// <summary>One real store per test class (a temp SQLite file, or a fresh PostgreSQL database), created on first use.</summary>
public interface IStoreFixture
{
    ISightlineStore Store { get; }
}
