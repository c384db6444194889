namespace Sightline.Redaction.Tests;

internal static class RepoPaths
{
    /// <summary>The official RFC 9535 compliance suite, in ../shared beside the repository.</summary>
    public static string ComplianceSuite
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (!File.Exists(Path.Combine(dir.FullName, "Sightline.slnx"))) continue;
                // ../shared beside the clone (CI); further up for a git worktree of it.
                for (var up = dir.Parent; up is not null; up = up.Parent)
                {
                    var path = Path.Combine(up.FullName, "shared", "conformance", "jsonpath-cts", "cts.json");
                    if (File.Exists(path)) return path;
                }
                throw new FileNotFoundException($"The JSONPath compliance suite is missing: expected ../shared/conformance/jsonpath-cts/cts.json beside {dir.FullName}.");
            }
            throw new DirectoryNotFoundException("Could not find the repository root (Sightline.slnx) above " + AppContext.BaseDirectory);
        }
    }
}
