using System.Text.Json;
using Sightline.Redaction;

namespace Sightline.Conformance;

/// <summary>Outcome of one compliance test.</summary>
public sealed record ComplianceOutcome(string Name, string Selector, bool Passed, string? Failure);

/// <summary>
/// Runs a suite in the format of the official JSONPath Compliance Test Suite (cts.json):
/// invalid selectors must be rejected; valid ones must select exactly <c>result</c> (or one of
/// <c>results</c> when the order is not determined) with the matching normalized paths.
/// </summary>
public static class ComplianceSuite
{
    /// <summary>Runs every test of the suite file at <paramref name="path"/>.</summary>
    public static IReadOnlyList<ComplianceOutcome> Run(string path)
    {
        using var suite = JsonDocument.Parse(File.ReadAllBytes(path));
        var outcomes = new List<ComplianceOutcome>();
        foreach (var test in suite.RootElement.GetProperty("tests").EnumerateArray())
            outcomes.Add(RunOne(test));
        return outcomes;
    }

    private static ComplianceOutcome RunOne(JsonElement test)
    {
        var name = test.GetProperty("name").GetString()!;
        var selector = test.GetProperty("selector").GetString()!;
        var invalid = test.TryGetProperty("invalid_selector", out var inv) && inv.GetBoolean();
        JsonPath query;
        try
        {
            query = JsonPath.Parse(selector);
        }
        catch (JsonPathException e)
        {
            return new(name, selector, invalid, invalid ? null : $"rejected a valid selector: {e.Message}");
        }
        if (invalid) return new(name, selector, false, "accepted an invalid selector");

        IReadOnlyList<JsonPathNode> nodes;
        try
        {
            nodes = query.Evaluate(test.GetProperty("document"));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            return new(name, selector, false, $"evaluation threw {e.GetType().Name}: {e.Message}");
        }

        var actualValues = new JsonElement[nodes.Count];
        var actualPaths = new string[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            actualValues[i] = nodes[i].Value;
            actualPaths[i] = nodes[i].NormalizedPath;
        }

        if (test.TryGetProperty("result", out var result))
        {
            var paths = test.TryGetProperty("result_paths", out var rp) ? rp : default;
            return Matches(result, paths, actualValues, actualPaths)
                ? new(name, selector, true, null)
                : new(name, selector, false, $"expected {result.GetRawText()} at {RawOrNone(paths)}, got [{Join(actualValues)}] at [{string.Join(", ", actualPaths)}]");
        }

        var alternatives = test.GetProperty("results");
        var alternativePaths = test.TryGetProperty("results_paths", out var rps) ? rps : default;
        for (var i = 0; i < alternatives.GetArrayLength(); i++)
        {
            var paths = alternativePaths.ValueKind == JsonValueKind.Array ? alternativePaths[i] : default;
            if (Matches(alternatives[i], paths, actualValues, actualPaths)) return new(name, selector, true, null);
        }
        return new(name, selector, false, $"expected one of {alternatives.GetRawText()}, got [{Join(actualValues)}]");
    }

    private static bool Matches(JsonElement expected, JsonElement expectedPaths, JsonElement[] values, string[] paths)
    {
        if (expected.GetArrayLength() != values.Length) return false;
        for (var i = 0; i < values.Length; i++)
            if (!JsonElement.DeepEquals(expected[i], values[i])) return false;
        if (expectedPaths.ValueKind != JsonValueKind.Array) return true;
        for (var i = 0; i < paths.Length; i++)
            if (expectedPaths[i].GetString() != paths[i]) return false;
        return true;
    }

    private static string Join(JsonElement[] values) => string.Join(", ", Array.ConvertAll(values, v => v.GetRawText()));

    private static string RawOrNone(JsonElement e) => e.ValueKind == JsonValueKind.Undefined ? "(no paths)" : e.GetRawText();
}
