using System.Buffers;
using System.Text.Json;
using Sightline.Redaction.Json;

namespace Sightline.Redaction;

/// <summary>
/// Replaces every node selected by a set of RFC 9535 JSONPaths with the JSON string
/// <c>"[CLIENT_REDACTED]"</c>, copying everything else byte for byte.
/// </summary>
/// <remarks>
/// Paths made only of name, wildcard, non-negative index and forward slice selectors (child or
/// descendant segments) are compiled into one deterministic automaton over locations and matched
/// in a single validating pass over the UTF-8 bytes: no DOM, no per-node allocation, one table
/// lookup per member or element, and the bytes between two redacted values are copied to the
/// output in one write. The pass accepts exactly what <see cref="Utf8JsonReader"/> accepts (every
/// subtree is validated, including those no path can reach). Paths with filters, negative indices
/// or backward slices need the whole document: they are evaluated exactly on a
/// <see cref="JsonDocument"/> first and their matches are applied during a streaming
/// <see cref="Utf8JsonReader"/> pass. Redaction fails closed: invalid JSON, too-deep nesting or any
/// internal error yields a failed result whose output must be discarded.
/// A truncated body (capture cap reached) is redacted up to the last complete token: the output is
/// the redacted beginning of the document, never containing a partially written value (a selected
/// value the cut falls in is written as the replacement); with document-only paths a truncated
/// body cannot be redacted and fails.
/// </remarks>
public sealed class JsonRedactor
{
    private static readonly byte[] s_replacement = "\"[CLIENT_REDACTED]\""u8.ToArray();
    private static readonly byte[] s_escapedReplacement = "\\\"[CLIENT_REDACTED]\\\""u8.ToArray();

    // The scanner keeps one stack-allocated frame per nesting level; deeper limits use the reader-based pass.
    private const int MaxScannerDepth = 256;

    private readonly StreamingStep[][] _streaming;
    private readonly JsonPath[] _exact;
    private readonly int _maxDepth;
    private readonly RedactionAutomaton? _automaton;

    private JsonRedactor(IReadOnlyList<string> paths, StreamingStep[][] streaming, JsonPath[] exact, int maxDepth, bool useScanner = true)
    {
        Paths = paths;
        _streaming = streaming;
        _exact = exact;
        _maxDepth = maxDepth;
        _automaton = useScanner && exact.Length == 0 && maxDepth <= MaxScannerDepth ? RedactionAutomaton.TryBuild(streaming) : null;
    }

    /// <summary>True when bodies are redacted by the automaton-driven scanner (the fast path).</summary>
    internal bool UsesScanner => _automaton is not null;

    /// <summary>The compiled automaton (null when the reader-based pass is used); tests run other scanners on it.</summary>
    internal RedactionAutomaton? Automaton => _automaton;

    /// <summary>The depth limit.</summary>
    internal int MaxDepth => _maxDepth;

    /// <summary>A redactor with no paths: <see cref="Redact"/> copies the input unchanged.</summary>
    public static JsonRedactor Empty { get; } = new([], [], [], RedactionDefaults.MaxJsonDepth);

    /// <summary>The source paths.</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <summary>True when there are no paths.</summary>
    public bool IsEmpty => Paths.Count == 0;

    /// <summary>True when some path needs the whole document (filters, negative indices, backward slices).</summary>
    public bool RequiresDocument => _exact.Length > 0;

    /// <summary>Compiles <paramref name="paths"/> once; reuse the redactor for every body.</summary>
    /// <param name="paths">RFC 9535 JSONPath queries, e.g. <c>$.user.addresses[*].zip</c>.</param>
    /// <param name="maxDepth">Deepest nesting accepted (default <see cref="RedactionDefaults.MaxJsonDepth"/>).</param>
    /// <exception cref="JsonPathException">A path is invalid; the message names it and the position.</exception>
    public static JsonRedactor Create(IEnumerable<string> paths, int maxDepth = RedactionDefaults.MaxJsonDepth)
        => Create(paths, maxDepth, useScanner: true);

    /// <summary>As <see cref="Create(IEnumerable{string}, int)"/>; <paramref name="useScanner"/> false forces the reader-based pass (tests compare both).</summary>
    internal static JsonRedactor Create(IEnumerable<string> paths, int maxDepth, bool useScanner)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 1);
        var sources = new List<string>();
        var streaming = new List<StreamingStep[]>();
        var exact = new List<JsonPath>();
        foreach (var text in paths)
        {
            var path = JsonPath.Parse(text ?? throw new ArgumentException("A path is null.", nameof(paths)));
            sources.Add(text);
            var steps = new StreamingStep[path.Segments.Length];
            var streamable = steps.Length < 63;
            for (var i = 0; streamable && i < steps.Length; i++)
            {
                var step = StreamingStep.TryCompile(path.Segments[i]);
                if (step is null) streamable = false;
                else steps[i] = step;
            }
            if (streamable) streaming.Add(steps);
            else exact.Add(path);
        }
        return sources.Count == 0 ? Empty : new JsonRedactor(sources, [.. streaming], [.. exact], maxDepth, useScanner);
    }

    /// <summary>Redacts <paramref name="utf8Json"/> into <paramref name="output"/>.</summary>
    /// <param name="utf8Json">The body (UTF-8 JSON).</param>
    /// <param name="output">Receives the redacted document. Discard it unless the result <see cref="JsonRedactionResult.Succeeded"/>.</param>
    /// <param name="isTruncated">True when <paramref name="utf8Json"/> is only the beginning of a longer body.</param>
    public JsonRedactionResult Redact(ReadOnlySpan<byte> utf8Json, IBufferWriter<byte> output, bool isTruncated = false)
        => RedactCore(utf8Json, output, isTruncated, escape: false);

    /// <summary>
    /// As <see cref="Redact"/>, but writes the redacted document as the content of a JSON string
    /// (escaped as by <see cref="JsonStringEscaper"/>, without the surrounding quotes), in the same
    /// single pass: for embedding a redacted body as a string value in another JSON document without
    /// escaping it separately. Enclosed in quotes, the output is a JSON string whose value is exactly
    /// what <see cref="Redact"/> writes; the result is the same.
    /// </summary>
    /// <param name="utf8Json">The body (UTF-8 JSON).</param>
    /// <param name="output">Receives the escaped redacted document. Discard it unless the result <see cref="JsonRedactionResult.Succeeded"/>.</param>
    /// <param name="isTruncated">True when <paramref name="utf8Json"/> is only the beginning of a longer body.</param>
    public JsonRedactionResult RedactEscaped(ReadOnlySpan<byte> utf8Json, IBufferWriter<byte> output, bool isTruncated = false)
        => RedactCore(utf8Json, output, isTruncated, escape: true);

    private JsonRedactionResult RedactCore(ReadOnlySpan<byte> utf8Json, IBufferWriter<byte> output, bool isTruncated, bool escape)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (IsEmpty)
        {
            Emit(output, utf8Json, escape);
            return new(JsonRedactionStatus.Redacted, null, isTruncated);
        }
        try
        {
            if (_automaton is not null)
                return RedactionScanner.Run(utf8Json, output, _automaton, _maxDepth, isTruncated, escape);
            LocationTrie? trie = null;
            if (_exact.Length > 0)
            {
                if (isTruncated)
                    return new(JsonRedactionStatus.Failed, "truncated body cannot be redacted with filter paths", true);
                trie = EvaluateExact(utf8Json);
                if (trie is null) return Classify(utf8Json);
            }
            return Stream(utf8Json, output, isTruncated, trie, escape);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new(JsonRedactionStatus.Failed, "internal redaction error: " + e.GetType().Name, isTruncated);
        }
    }

    private static void Emit(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes, bool escape)
    {
        if (escape) JsonStringEscaper.Escape(bytes, output);
        else output.Write(bytes);
    }

    private LocationTrie? EvaluateExact(ReadOnlySpan<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = _maxDepth });
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read()) { document.Dispose(); return null; } // trailing content
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        {
            var trie = new LocationTrie();
            foreach (var path in _exact)
                foreach (var node in path.Evaluate(document.RootElement))
                    trie.Add(node.Location);
            return trie;
        }
    }

    // Runs the validating streaming pass only to tell invalid JSON from too-deep nesting.
    private JsonRedactionResult Classify(ReadOnlySpan<byte> utf8Json)
    {
        var result = Stream(utf8Json, new ArrayBufferWriter<byte>(), false, null, escape: false);
        return result.Succeeded ? new(JsonRedactionStatus.InvalidJson, "invalid JSON", false) : result;
    }

    private struct Frame
    {
        public bool IsArray;
        public bool CanMatchPrimitive; // some path is at its last step here (or exact matches exist below)
        public int NextIndex;
        public LocationTrie? Trie;
    }

    private JsonRedactionResult Stream(ReadOnlySpan<byte> input, IBufferWriter<byte> output, bool truncated, LocationTrie? trie, bool escape)
    {
        var paths = _streaming;
        var pathCount = paths.Length;
        var width = Math.Max(pathCount, 1);
        var masks = ArrayPool<ulong>.Shared.Rent((_maxDepth + 2) * width);
        var pending = ArrayPool<ulong>.Shared.Rent(width);
        var frames = ArrayPool<Frame>.Shared.Rent(_maxDepth + 2);
        var depth = 0;
        long copied = 0;
        var reader = new Utf8JsonReader(input, isFinalBlock: !truncated, new JsonReaderState(new JsonReaderOptions { MaxDepth = _maxDepth }));
        try
        {
            for (var p = 0; p < pathCount; p++) pending[p] = 1UL; // every path at its first segment
            var pendingTrie = trie;
            var cutInsideRedaction = false;
            var skipPrimitive = false;

            while (reader.Read())
            {
                var token = reader.TokenType;
                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    depth--;
                    continue;
                }
                var primitive = token is not (JsonTokenType.StartObject or JsonTokenType.StartArray or JsonTokenType.PropertyName);
                if (skipPrimitive)
                {
                    // A member value already known to be a primitive no path can select here.
                    skipPrimitive = false;
                    continue;
                }
                if (depth > 0)
                {
                    ref var frame = ref frames[depth];
                    var parentMasks = masks.AsSpan(depth * width, pathCount);
                    if (token == JsonTokenType.PropertyName)
                    {
                        // Fast path: a primitive member can only match where a path is at its last step;
                        // peek at the value's first byte to avoid computing masks for it.
                        if (!frame.CanMatchPrimitive && NextValueIsPrimitive(input, reader.BytesConsumed))
                        {
                            skipPrimitive = true;
                            continue;
                        }
                        ComputeNameMasks(paths, parentMasks, ref reader, pending);
                        pendingTrie = frame.Trie is { HasNameChildren: true } t ? t.Child(reader.GetString()!) : null;
                        continue;
                    }
                    if (frame.IsArray)
                    {
                        var index = frame.NextIndex++;
                        if (primitive && !frame.CanMatchPrimitive) continue;
                        ComputeIndexMasks(paths, parentMasks, index, pending);
                        pendingTrie = frame.Trie?.Child(index);
                    }
                }

                if (IsMatch(paths, pending, pendingTrie))
                {
                    Emit(output, input[(int)copied..(int)reader.TokenStartIndex], escape);
                    output.Write(escape ? s_escapedReplacement : s_replacement);
                    if (token is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
                    {
                        cutInsideRedaction = true; // truncated inside the redacted value: nothing more may follow
                        break;
                    }
                    copied = reader.BytesConsumed;
                }
                else if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    // Nothing inside can match: skip it (still validated) and copy it lazily. A truncated
                    // body is walked instead, so the complete part of the subtree is kept.
                    if (!truncated && pendingTrie is null && AllZero(pending, pathCount))
                    {
                        reader.Skip();
                        continue;
                    }
                    if (depth + 1 > _maxDepth)
                        return new(JsonRedactionStatus.DepthExceeded, $"JSON nested deeper than {_maxDepth} levels", truncated);
                    depth++;
                    frames[depth] = new Frame
                    {
                        IsArray = token == JsonTokenType.StartArray,
                        NextIndex = 0,
                        Trie = pendingTrie,
                        CanMatchPrimitive = pendingTrie is not null || AnyAtLastStep(paths, pending),
                    };
                    pending.AsSpan(0, pathCount).CopyTo(masks.AsSpan(depth * width, pathCount));
                }
            }

            if (!cutInsideRedaction)
            {
                var end = truncated ? reader.BytesConsumed : input.Length;
                Emit(output, input[(int)copied..(int)end], escape);
            }
            return new(JsonRedactionStatus.Redacted, null, truncated);
        }
        catch (JsonException)
        {
            return NestsDeeperThan(input, _maxDepth)
                ? new(JsonRedactionStatus.DepthExceeded, $"JSON nested deeper than {_maxDepth} levels", truncated)
                : new(JsonRedactionStatus.InvalidJson, "invalid JSON", truncated);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(masks);
            ArrayPool<ulong>.Shared.Return(pending);
            ArrayPool<Frame>.Shared.Return(frames, clearArray: true);
        }
    }

    // Classifies a reader failure: nesting beyond the limit (counted outside strings) or plain invalid JSON.
    private static bool NestsDeeperThan(ReadOnlySpan<byte> input, int maxDepth)
    {
        var depth = 0;
        var inString = false;
        for (var i = 0; i < input.Length; i++)
        {
            var b = input[i];
            if (inString)
            {
                if (b == (byte)'\\') i++;
                else if (b == (byte)'"') inString = false;
                continue;
            }
            switch (b)
            {
                case (byte)'"': inString = true; break;
                case (byte)'{' or (byte)'[':
                    if (++depth > maxDepth) return true;
                    break;
                case (byte)'}' or (byte)']': depth--; break;
            }
        }
        return false;
    }

    // Could a primitive child of a node with these states be selected? Only when a path's state is its last step.
    private static bool AnyAtLastStep(StreamingStep[][] paths, ulong[] states)
    {
        for (var p = 0; p < paths.Length; p++)
        {
            var last = paths[p].Length - 1;
            if (last >= 0 && (states[p] >> last & 1UL) != 0) return true;
        }
        return false;
    }

    // The first byte of the value after a property name (skipping the colon and whitespace) tells
    // whether it is a primitive. At the end of a truncated input the answer is "not known" (false).
    private static bool NextValueIsPrimitive(ReadOnlySpan<byte> input, long position)
    {
        for (var i = (int)position; i < input.Length; i++)
        {
            switch (input[i])
            {
                case (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)':':
                    continue;
                case (byte)'{' or (byte)'[':
                    return false;
                default:
                    return true;
            }
        }
        return false;
    }

    private static bool AllZero(ulong[] values, int count)
    {
        for (var i = 0; i < count; i++)
            if (values[i] != 0) return false;
        return true;
    }

    private static bool IsMatch(StreamingStep[][] paths, ulong[] pending, LocationTrie? trie)
    {
        if (trie is { Terminal: true }) return true;
        for (var p = 0; p < paths.Length; p++)
            if ((pending[p] >> paths[p].Length & 1UL) != 0) return true;
        return false;
    }

    private static void ComputeNameMasks(StreamingStep[][] paths, Span<ulong> parent, ref Utf8JsonReader reader, ulong[] child)
    {
        for (var p = 0; p < paths.Length; p++)
        {
            var steps = paths[p];
            var active = parent[p];
            ulong next = 0;
            while (active != 0)
            {
                var j = System.Numerics.BitOperations.TrailingZeroCount(active);
                active &= active - 1;
                if (j >= steps.Length) continue;
                var step = steps[j];
                if (step.Descendant) next |= 1UL << j;
                if (step.MatchesName(ref reader)) next |= 1UL << (j + 1);
            }
            child[p] = next;
        }
    }

    private static void ComputeIndexMasks(StreamingStep[][] paths, Span<ulong> parent, int index, ulong[] child)
    {
        for (var p = 0; p < paths.Length; p++)
        {
            var steps = paths[p];
            var active = parent[p];
            ulong next = 0;
            while (active != 0)
            {
                var j = System.Numerics.BitOperations.TrailingZeroCount(active);
                active &= active - 1;
                if (j >= steps.Length) continue;
                var step = steps[j];
                if (step.Descendant) next |= 1UL << j;
                if (step.MatchesIndex(index)) next |= 1UL << (j + 1);
            }
            child[p] = next;
        }
    }
}
