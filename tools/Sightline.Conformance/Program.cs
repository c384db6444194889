using Sightline.Conformance;

// Usage: dotnet run --project tools/Sightline.Conformance -- <path-to-cts.json>
if (args.Length != 1 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: Sightline.Conformance <path-to-cts.json>");
    return 2;
}

var outcomes = ComplianceSuite.Run(args[0]);
var failed = 0;
foreach (var outcome in outcomes)
{
    if (outcome.Passed) continue;
    failed++;
    Console.WriteLine($"FAIL {outcome.Name}: {outcome.Selector}");
    Console.WriteLine($"     {outcome.Failure}");
}
Console.WriteLine($"{outcomes.Count - failed} passed, {failed} failed");
return failed == 0 ? 0 : 1;
