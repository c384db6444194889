using System.Text.Json;

namespace Sightline.Redaction.Paths;

/// <summary><c>[start:end:step]</c> (RFC 9535 §2.3.4).</summary>
internal sealed class SliceSelector(long? start, long? end, long? step) : Selector
{
    public long? Start { get; } = start;
    public long? End { get; } = end;
    public long Step { get; } = step ?? 1;

    /// <summary>True when the slice can be decided without knowing the array's length (streaming).</summary>
    public bool IsLengthIndependent => Step > 0 && (Start ?? 0) >= 0 && (End is null || End >= 0);

    /// <summary>For a length-independent slice: does it select index <paramref name="i"/>?</summary>
    public bool Contains(long i)
    {
        var start = Start ?? 0;
        if (i < start) return false;
        if (End is { } end && i >= end) return false;
        return (i - start) % Step == 0;
    }

    public override void Select(in EvalNode node, FilterContext context, List<EvalNode> output)
    {
        if (node.Value.ValueKind != JsonValueKind.Array || Step == 0) return;
        long len = node.Value.GetArrayLength();
        var step = Step;
        long Normalize(long v) => v >= 0 ? v : len + v;
        if (step > 0)
        {
            var lower = Math.Min(Math.Max(Normalize(Start ?? 0), 0), len);
            var upper = Math.Min(Math.Max(Normalize(End ?? len), 0), len);
            for (var i = lower; i < upper; i += step)
                output.Add(new EvalNode(node.Value[(int)i], new PathLink(node.Link, null, (int)i)));
        }
        else
        {
            var upper = Math.Min(Math.Max(Start is { } s ? Normalize(s) : len - 1, -1), len - 1);
            var lower = Math.Min(Math.Max(End is { } e ? Normalize(e) : -len - 1, -1), len - 1);
            for (var i = upper; lower < i; i += step)
                output.Add(new EvalNode(node.Value[(int)i], new PathLink(node.Link, null, (int)i)));
        }
    }
}
