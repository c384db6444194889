using System.Runtime.CompilerServices;
using Sightline.AspNetCore.Errors;

namespace Sightline.AspNetCore.Tests.Errors;

public sealed class ErrorConverterTests
{
    [Fact]
    public void Convert_LongMessage_CutAtCap()
    {
        var info = ErrorConverter.Convert(new InvalidOperationException(new string('m', 10_000)), handled: true, source: "reported");

        Assert.Equal(ErrorConverter.MaxMessageLength + 1, info.Message.Length); // cap + the "…" marker
        Assert.EndsWith("…", info.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ErrorConverter.MaxMessageLength - 1)]
    [InlineData(ErrorConverter.MaxMessageLength)]
    public void Convert_MessageUpToCap_KeptWhole(int length)
    {
        var info = ErrorConverter.Convert(new InvalidOperationException(new string('m', length)), handled: true, source: "reported");

        Assert.Equal(length, info.Message.Length);
    }

    [Fact]
    public void Convert_DeepStack_StackTraceCut()
    {
        var e = Catch(() => Recurse(400));

        Assert.True(e.StackTrace!.Length > ErrorConverter.MaxStackTraceLength, "the test needs a stack trace longer than the cap");
        var info = ErrorConverter.Convert(e, handled: false, source: "unhandled");
        Assert.Equal(ErrorConverter.MaxStackTraceLength + 1, info.StackTrace!.Length);
        Assert.StartsWith(e.StackTrace[..200], info.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_LongInnerChain_DepthBounded()
    {
        Exception e = new InvalidOperationException("level 30");
        for (var i = 29; i >= 0; i--) e = new InvalidOperationException("level " + i, e);

        var info = ErrorConverter.Convert(e, handled: true, source: "reported");

        var depth = 0;
        for (var node = info; node.Inner is { } inner; node = Assert.Single(inner)) depth++;
        Assert.Equal(ErrorConverter.MaxInnerDepth, depth);
        Assert.Equal("level 0", info.Message);
    }

    [Fact]
    public void Convert_NestedAggregates_TotalBounded()
    {
        static Exception Tree(int depth) => depth == 0
            ? new TimeoutException("leaf")
            : new AggregateException(Enumerable.Range(0, 12).Select(_ => Tree(depth - 1)));

        var info = ErrorConverter.Convert(Tree(4), handled: false, source: "unhandled"); // 12^4 leaves

        Assert.Equal(ErrorConverter.MaxTotal, Count(info)); // 12^4 would be 20 000+; the budget stops at 50
        Assert.True(info.Inner!.Count <= ErrorConverter.MaxInnerPerLevel);
    }

    [Fact]
    public void Convert_AggregateInners_KeptInOrderUpToPerLevelCap()
    {
        var e = new AggregateException(Enumerable.Range(0, 25).Select(i => new InvalidOperationException("inner " + i)));

        var info = ErrorConverter.Convert(e, handled: false, source: "unhandled");

        Assert.Equal(Enumerable.Range(0, ErrorConverter.MaxInnerPerLevel).Select(i => "inner " + i), info.Inner!.Select(i => i.Message));
    }

    [Fact]
    public void Fingerprint_SameThrowSiteDifferentMessages_Equal()
    {
        var prints = new[] { "order 1", "order 2" }.Select(m => ErrorConverter.Convert(Catch(() => FailAt(m)), true, "reported").Fingerprint).ToList();

        Assert.Equal(prints[0], prints[1]);
        Assert.Matches("^[0-9a-f]{16}$", prints[0]!);
    }

    [Fact]
    public void Fingerprint_DifferentAppCallersOfTheSameFrameworkThrow_Differ()
    {
        // The same app frames at any input: framework frames (int.Parse internals, which differ by input) take no part.
        var fromA = new[] { "x", "y", "1.5" }.Select(s => ErrorConverter.Convert(Catch(() => Parse(s, b: false)), true, "reported").Fingerprint).ToList();
        var fromB = ErrorConverter.Convert(Catch(() => Parse("x", b: true)), true, "reported").Fingerprint;

        Assert.Single(fromA.Distinct());
        Assert.NotEqual(fromA[0], fromB);
    }

    [Fact]
    public void Fingerprint_DifferentTypesSameSite_Differ()
    {
        var a = ErrorConverter.Convert(Catch(() => Throw(new InvalidOperationException())), true, "reported");
        var b = ErrorConverter.Convert(Catch(() => Throw(new TimeoutException())), true, "reported");

        Assert.NotEqual(a.Fingerprint, b.Fingerprint);
    }

    [Fact]
    public void Fingerprint_NeverThrownException_TypeOnlyAndStable()
    {
        Assert.Equal(ErrorConverter.Fingerprint(new TimeoutException("a")), ErrorConverter.Fingerprint(new TimeoutException("b")));
    }

    private static int Count(Sightline.Protocol.Wire.ErrorInfo info) => 1 + (info.Inner?.Sum(Count) ?? 0);

    private static Exception Catch(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            return e;
        }
        throw new InvalidOperationException("expected an exception");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Recurse(int n)
    {
        if (n == 0) throw new InvalidOperationException("bottom");
        Recurse(n - 1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailAt(string message) => throw new InvalidOperationException(message);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(Exception e) => throw e;

    private static int Parse(string s, bool b) => b ? ParseInB(s) : ParseInA(s);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ParseInA(string s) => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ParseInB(string s) => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
}
