using System.Text;

namespace Sightline.Redaction.Json;

/// <summary>
/// The streaming paths compiled into one deterministic automaton over locations: each node's
/// state is found from its parent's state by one table lookup (member name or element index),
/// instead of stepping every path's state set for every member.
/// </summary>
/// <remarks>
/// A state is the tuple of per-path state sets (bit <c>j</c> of path <c>p</c>: the node matched
/// the first <c>j</c> segments of path <c>p</c>). States are built eagerly at compile time, so the
/// automaton is immutable and shared by concurrent calls. Building gives up (returns null) when
/// the automaton would be large (many descendant segments combined, or slices with large bounds);
/// the redactor then steps the paths directly.
/// </remarks>
internal sealed class RedactionAutomaton
{
    /// <summary>The state no path can leave: nothing below it is ever selected.</summary>
    public const int Dead = 0;

    private const int MaxStates = 1024;
    private const int MaxIndexTable = 1024;

    private RedactionAutomaton(AutomatonState[] states, int initial)
    {
        States = states;
        Initial = initial;
    }

    /// <summary>Every state; index <see cref="Dead"/> is the dead state.</summary>
    public AutomatonState[] States { get; }

    /// <summary>The root's state.</summary>
    public int Initial { get; }

    /// <summary>Builds the automaton, or returns null when it would exceed the size limits.</summary>
    public static RedactionAutomaton? TryBuild(StreamingStep[][] paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Length == 0) return null;

        var names = new List<byte[]>();
        var nameKeys = new HashSet<string>(StringComparer.Ordinal);
        long prefix = 0; // elements at or beyond this index follow the periodic tail
        long period = 1;
        foreach (var steps in paths)
        {
            foreach (var step in steps)
            {
                foreach (var name in step.Names)
                    if (nameKeys.Add(Convert.ToHexString(name))) names.Add(name);
                foreach (var index in step.Indices)
                {
                    if (index >= MaxIndexTable) return null;
                    prefix = Math.Max(prefix, index + 1);
                }
                foreach (var slice in step.Slices)
                {
                    prefix = Math.Max(prefix, Math.Max(slice.Start ?? 0, slice.End ?? 0));
                    if (prefix > MaxIndexTable || slice.Step > MaxIndexTable) return null;
                    period = Lcm(period, slice.Step);
                    if (period > MaxIndexTable) return null;
                }
            }
        }
        if (prefix + period > MaxIndexTable) return null;
        var tableLength = (int)(prefix + period);

        var width = paths.Length;
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        var masks = new List<ulong[]>();
        var states = new List<AutomatonState>();
        var work = new Queue<int>();

        int Intern(ulong[] m)
        {
            var key = Key(m);
            if (keys.TryGetValue(key, out var id)) return id;
            id = masks.Count;
            keys[key] = id;
            masks.Add(m);
            states.Add(new AutomatonState { IsMatch = IsMatch(paths, m) });
            work.Enqueue(id);
            return id;
        }

        Intern(new ulong[width]); // Dead
        var initial = new ulong[width];
        Array.Fill(initial, 1UL);
        var initialId = Intern(initial);

        while (work.Count > 0)
        {
            var id = work.Dequeue();
            if (states.Count > MaxStates) return null;
            var state = states[id];
            var m = masks[id];
            if (id == Dead || state.IsMatch) continue; // never descended into

            state.OtherName = Intern(Step(paths, m, static (_, _) => false, 0));
            var stateNames = new List<byte[]>();
            var targets = new List<int>();
            foreach (var name in names)
            {
                var target = Intern(Step(paths, m, static (step, n) => step.Names.Any(x => x.AsSpan().SequenceEqual(n)), name));
                if (target == state.OtherName) continue;
                stateNames.Add(name);
                targets.Add(target);
            }
            state.Names = [.. stateNames];
            state.NameTargets = [.. targets];

            state.AnyIndex = Intern(Step(paths, m, static (_, _) => false, 0));
            if (SelectsIndices(paths, m))
            {
                var table = new int[tableLength];
                for (var i = 0; i < tableLength; i++)
                    table[i] = Intern(Step(paths, m, static (step, index) => step.MatchesIndex(index), i));
                state.IndexTargets = table;
                state.IndexPeriod = (int)period;
            }
        }
        return new RedactionAutomaton([.. states], initialId);
    }

    // The state sets of a child: wildcards and matching selectors advance, descendant segments stay.
    private static ulong[] Step<T>(StreamingStep[][] paths, ulong[] parent, Func<StreamingStep, T, bool> selects, T child)
    {
        var next = new ulong[paths.Length];
        for (var p = 0; p < paths.Length; p++)
        {
            var steps = paths[p];
            for (var j = 0; j < steps.Length; j++)
            {
                if ((parent[p] >> j & 1UL) == 0) continue;
                var step = steps[j];
                if (step.Descendant) next[p] |= 1UL << j;
                if (step.Wildcard || selects(step, child)) next[p] |= 1UL << (j + 1);
            }
        }
        return next;
    }

    private static bool IsMatch(StreamingStep[][] paths, ulong[] m)
    {
        for (var p = 0; p < paths.Length; p++)
            if ((m[p] >> paths[p].Length & 1UL) != 0) return true;
        return false;
    }

    private static bool SelectsIndices(StreamingStep[][] paths, ulong[] m)
    {
        for (var p = 0; p < paths.Length; p++)
            for (var j = 0; j < paths[p].Length; j++)
                if ((m[p] >> j & 1UL) != 0 && paths[p][j].SelectsIndices) return true;
        return false;
    }

    private static string Key(ulong[] m)
    {
        var sb = new StringBuilder(m.Length * 17);
        foreach (var v in m) sb.Append(v.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    private static long Lcm(long a, long b)
    {
        long x = a, y = b;
        while (y != 0) (x, y) = (y, x % y);
        return a / x * b;
    }
}
