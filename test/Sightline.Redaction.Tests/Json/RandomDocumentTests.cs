using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sightline.Redaction.Tests.Json;

/// <summary>Random documents and paths: the streaming redactor must agree with the DOM evaluation.</summary>
public sealed class RandomDocumentTests
{
    private static readonly string[] s_names = ["a", "b", "email", "zip", "x y", "é"];
    private static readonly string[] s_paths =
    [
        "$.a", "$.a.b", "$..email", "$[*].zip", "$.b[0]", "$.a[1:3]", "$..[0]", "$.*.email", "$['x y']", "$..é",
        "$.a[::2]", "$..*.zip", "$.b[*][*]", "$[-1]", "$.a[?@.email]", "$..[?@ == 1]",
    ];

    [Fact]
    public void Redact_RandomDocuments_MatchesDomEvaluation()
    {
        var random = new Random(20261122);
        for (var iteration = 0; iteration < 400; iteration++)
        {
            var document = RandomValue(random, 0);
            var json = document?.ToJsonString() ?? "null";
            var paths = Enumerable.Range(0, random.Next(1, 4)).Select(_ => s_paths[random.Next(s_paths.Length)]).ToArray();

            var (result, output) = JsonRedactor.Create(paths).Run(json);

            Assert.True(result.Succeeded, json);
            var expected = DomRedact(json, paths);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(output), expected), $"paths {string.Join(", ", paths)}\n{json}\n{output}\nexpected {expected?.ToJsonString()}");
        }
    }

    private static JsonNode? DomRedact(string json, string[] paths)
    {
        var root = JsonNode.Parse(json);
        using var doc = JsonDocument.Parse(json);
        var locations = paths.SelectMany(p => Redaction.JsonPath.Parse(p).Evaluate(doc.RootElement)).Select(n => n.Location)
            .OrderBy(l => l.Count).ToList();
        var done = new List<IReadOnlyList<object>>();
        foreach (var location in locations)
        {
            if (done.Any(d => d.Count <= location.Count && d.SequenceEqual(location.Take(d.Count)))) continue;
            done.Add(location);
            if (location.Count == 0) return JsonValue.Create(RedactionDefaults.RedactedValue);
            var parent = root!;
            foreach (var part in location.Take(location.Count - 1))
                parent = part is string s ? parent[s]! : parent[(int)part]!;
            var last = location[^1];
            if (last is string name) parent[name] = RedactionDefaults.RedactedValue;
            else parent[(int)last] = RedactionDefaults.RedactedValue;
        }
        return root;
    }

    private static JsonNode? RandomValue(Random random, int depth)
    {
        var kind = depth > 4 ? random.Next(3) : random.Next(6);
        switch (kind)
        {
            case 0: return JsonValue.Create(random.Next(3));
            case 1: return JsonValue.Create("s" + random.Next(100));
            case 2: return random.Next(2) == 0 ? null : JsonValue.Create(random.Next(2) == 0);
            case 3:
            case 4:
                var obj = new JsonObject();
                foreach (var name in s_names.OrderBy(_ => random.Next()).Take(random.Next(0, 4)))
                    obj[name] = RandomValue(random, depth + 1);
                return obj;
            default:
                var array = new JsonArray();
                for (var i = random.Next(0, 5); i > 0; i--) array.Add(RandomValue(random, depth + 1));
                return array;
        }
    }
}
