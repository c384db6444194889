namespace Sightline.Redaction.Json;

/// <summary>
/// One state of <see cref="RedactionAutomaton"/>: where every path stands at a node, and which
/// state each child of the node is in.
/// </summary>
internal sealed class AutomatonState
{
    /// <summary>Some path selects the node: it is replaced whole.</summary>
    public bool IsMatch { get; init; }

    /// <summary>Member names whose state differs from <see cref="OtherName"/> (UTF-8, unescaped).</summary>
    public byte[][] Names
    {
        get;
        set
        {
            field = value;
            var lengths = 0UL;
            foreach (var name in value) lengths |= 1UL << Math.Min(name.Length, 63);
            NameLengths = lengths;
        }
    } = [];

    /// <summary>Bit <c>k</c>: some name in <see cref="Names"/> is <c>k</c> bytes long (bit 63: 63 or more); a quick rejection for the scanner.</summary>
    public ulong NameLengths { get; private set; }

    /// <summary>The state of the member named <c>Names[i]</c>.</summary>
    public int[] NameTargets { get; set; } = [];

    /// <summary>The state of a member whose name is not in <see cref="Names"/>.</summary>
    public int OtherName { get; set; }

    /// <summary>
    /// The state of element <c>i</c> for <c>i &lt; IndexTargets.Length</c>; beyond, the table repeats its
    /// last <c>period</c> entries (slices are periodic). Null when every element is in <see cref="AnyIndex"/>.
    /// </summary>
    public int[]? IndexTargets { get; set; }

    /// <summary>The state of every element when <see cref="IndexTargets"/> is null.</summary>
    public int AnyIndex { get; set; }

    /// <summary>Length of the periodic tail of <see cref="IndexTargets"/>.</summary>
    public int IndexPeriod { get; set; } = 1;

    /// <summary>The state of array element <paramref name="index"/>.</summary>
    public int ElementTarget(int index)
    {
        var table = IndexTargets;
        if (table is null) return AnyIndex;
        if (index < table.Length) return table[index];
        var prefix = table.Length - IndexPeriod;
        return table[prefix + (index - prefix) % IndexPeriod];
    }
}
