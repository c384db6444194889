using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sightline.Redaction.Paths;

/// <summary>Recursive-descent parser for RFC 9535 JSONPath queries, including well-typedness checks (§2.4.3).</summary>
internal sealed class Parser
{
    private const long MaxSafeInteger = 9007199254740991; // 2^53 - 1 (RFC 9535 §2.1)
    private readonly string _text;
    private int _pos;

    private Parser(string text) => _text = text;

    public static Segment[] Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var parser = new Parser(expression);
        if (!parser.Peek('$')) throw parser.Error("expected '$' at the start of the query");
        parser._pos++;
        var segments = parser.ParseSegments();
        if (parser._pos != expression.Length) throw parser.Error($"unexpected '{expression[parser._pos]}'");
        return segments;
    }

    private JsonPathException Error(string problem) => new(_text, _pos, problem);

    private bool Peek(char c) => _pos < _text.Length && _text[_pos] == c;
    private bool Peek(string s) => string.CompareOrdinal(_text, _pos, s, 0, s.Length) == 0;
    private bool AtEnd => _pos >= _text.Length;

    private static bool IsBlank(char c) => c is ' ' or '\t' or '\n' or '\r';

    private void SkipBlanks()
    {
        while (_pos < _text.Length && IsBlank(_text[_pos])) _pos++;
    }

    private void Expect(char c)
    {
        if (!Peek(c)) throw Error(AtEnd ? $"expected '{c}' but the query ended" : $"expected '{c}' but found '{_text[_pos]}'");
        _pos++;
    }

    private Segment[] ParseSegments()
    {
        var segments = new List<Segment>();
        while (true)
        {
            var save = _pos;
            SkipBlanks();
            if (Peek('[') || Peek('.'))
            {
                segments.Add(ParseSegment());
                continue;
            }
            _pos = save; // blanks not followed by a segment belong to the caller
            return [.. segments];
        }
    }

    private Segment ParseSegment()
    {
        if (Peek(".."))
        {
            _pos += 2;
            if (Peek('[')) return new Segment(true, ParseBracketed());
            if (Peek('*')) { _pos++; return new Segment(true, [WildcardSelector.Instance]); }
            return new Segment(true, [new NameSelector(ParseMemberName())]);
        }
        if (Peek('.'))
        {
            _pos++;
            if (Peek('*')) { _pos++; return new Segment(false, [WildcardSelector.Instance]); }
            return new Segment(false, [new NameSelector(ParseMemberName())]);
        }
        return new Segment(false, ParseBracketed());
    }

    private static bool IsNameFirst(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' || c >= 0x80;

    private string ParseMemberName()
    {
        var start = _pos;
        if (AtEnd || !IsNameFirst(_text[_pos])) throw Error("expected a member name, '*' or '['");
        while (_pos < _text.Length && (IsNameFirst(_text[_pos]) || char.IsAsciiDigit(_text[_pos])))
        {
            if (char.IsSurrogate(_text[_pos]) && !ValidSurrogatePairAt(_pos)) throw Error("invalid UTF-16 surrogate in member name");
            _pos += char.IsHighSurrogate(_text[_pos]) ? 2 : 1;
        }
        return _text[start.._pos];
    }

    private bool ValidSurrogatePairAt(int i)
        => char.IsHighSurrogate(_text[i]) && i + 1 < _text.Length && char.IsLowSurrogate(_text[i + 1]);

    private Selector[] ParseBracketed()
    {
        Expect('[');
        var selectors = new List<Selector>();
        while (true)
        {
            SkipBlanks();
            selectors.Add(ParseSelector());
            SkipBlanks();
            if (Peek(',')) { _pos++; continue; }
            Expect(']');
            return [.. selectors];
        }
    }

    private Selector ParseSelector()
    {
        if (AtEnd) throw Error("expected a selector but the query ended");
        var c = _text[_pos];
        if (c is '\'' or '"') return new NameSelector(ParseStringLiteral());
        if (c == '*') { _pos++; return WildcardSelector.Instance; }
        if (c == '?')
        {
            _pos++;
            SkipBlanks();
            return new FilterSelector(ToLogical(ParseOr(), "filter"));
        }
        long? start = null;
        if (c == '-' || char.IsAsciiDigit(c)) start = ParseInteger();
        SkipBlanks();
        if (!Peek(':'))
        {
            if (start is null) throw Error($"unexpected '{c}' in a selector");
            return new IndexSelector(start.Value);
        }
        _pos++;
        SkipBlanks();
        long? end = null, step = null;
        if (Peek('-') || (!AtEnd && char.IsAsciiDigit(_text[_pos]))) { end = ParseInteger(); SkipBlanks(); }
        if (Peek(':'))
        {
            _pos++;
            SkipBlanks();
            if (Peek('-') || (!AtEnd && char.IsAsciiDigit(_text[_pos]))) step = ParseInteger();
        }
        return new SliceSelector(start, end, step);
    }

    private long ParseInteger()
    {
        var start = _pos;
        if (Peek('-')) _pos++;
        if (AtEnd || !char.IsAsciiDigit(_text[_pos])) throw Error("expected a digit");
        if (_text[_pos] == '0')
        {
            _pos++;
            if (_pos - start == 2) throw Error("'-0' is not a valid integer");
            if (!AtEnd && char.IsAsciiDigit(_text[_pos])) throw Error("leading zeros are not allowed");
            return 0;
        }
        while (!AtEnd && char.IsAsciiDigit(_text[_pos])) _pos++;
        if (!long.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            || value > MaxSafeInteger || value < -MaxSafeInteger)
        {
            _pos = start;
            throw Error("integer out of the range ±(2^53-1)");
        }
        return value;
    }

    private string ParseStringLiteral()
    {
        var quote = _text[_pos++];
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd) throw Error("unterminated string literal");
            var c = _text[_pos];
            if (c == quote) { _pos++; return sb.ToString(); }
            if (c < 0x20) throw Error("control characters must be escaped in string literals");
            if (c != '\\')
            {
                if (char.IsSurrogate(c))
                {
                    if (!ValidSurrogatePairAt(_pos)) throw Error("invalid UTF-16 surrogate in string literal");
                    sb.Append(c).Append(_text[_pos + 1]);
                    _pos += 2;
                    continue;
                }
                sb.Append(c);
                _pos++;
                continue;
            }
            _pos++;
            if (AtEnd) throw Error("unterminated escape sequence");
            var e = _text[_pos++];
            switch (e)
            {
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case '/': sb.Append('/'); break;
                case '\\': sb.Append('\\'); break;
                case '\'' when quote == '\'': sb.Append('\''); break;
                case '"' when quote == '"': sb.Append('"'); break;
                case 'u':
                    var code = ParseHex4();
                    if (char.IsHighSurrogate(code))
                    {
                        if (!Peek("\\u")) throw Error("a high surrogate escape must be followed by a low surrogate escape");
                        _pos += 2;
                        var low = ParseHex4();
                        if (!char.IsLowSurrogate(low)) throw Error("expected a low surrogate escape");
                        sb.Append(code).Append(low);
                    }
                    else if (char.IsLowSurrogate(code))
                    {
                        throw Error("a low surrogate escape without a high surrogate");
                    }
                    else
                    {
                        sb.Append(code);
                    }
                    break;
                default:
                    _pos--;
                    throw Error($"invalid escape '\\{e}'");
            }
        }
    }

    private char ParseHex4()
    {
        if (_pos + 4 > _text.Length || !ushort.TryParse(_text.AsSpan(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v))
            throw Error("expected four hex digits after '\\u'");
        _pos += 4;
        return (char)v;
    }

    // ---- filter expressions (RFC 9535 §2.3.5) ----

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (true)
        {
            var save = _pos;
            SkipBlanks();
            if (!Peek("||")) { _pos = save; return left; }
            _pos += 2;
            SkipBlanks();
            left = new OrExpr(ToLogical(left, "'||' operand"), ToLogical(ParseAnd(), "'||' operand"));
        }
    }

    private Expr ParseAnd()
    {
        var left = ParseBasic();
        while (true)
        {
            var save = _pos;
            SkipBlanks();
            if (!Peek("&&")) { _pos = save; return left; }
            _pos += 2;
            SkipBlanks();
            left = new AndExpr(ToLogical(left, "'&&' operand"), ToLogical(ParseBasic(), "'&&' operand"));
        }
    }

    private Expr ParseBasic()
    {
        if (Peek('!') && !Peek("!="))
        {
            _pos++;
            SkipBlanks();
            if (Peek('('))
                return new NotExpr(ParseParenthesized());
            var start = _pos;
            var operand = ParseOperand();
            if (operand is LiteralExpr) { _pos = start; throw Error("'!' applies to a query, a function or a parenthesized expression"); }
            return new NotExpr(ToLogical(operand, "'!' operand"));
        }
        if (Peek('(')) return ParseParenthesized();

        var leftStart = _pos;
        var left = ParseOperand();
        var save = _pos;
        SkipBlanks();
        var op = ReadComparisonOperator();
        if (op is null)
        {
            _pos = save;
            return left; // a bare operand: the caller decides whether it is allowed
        }
        SkipBlanks();
        var rightStart = _pos;
        var right = ParseOperand();
        CheckComparable(left, leftStart);
        CheckComparable(right, rightStart);
        return new ComparisonExpr(left, op, right);
    }

    private LogicalExpr ParseParenthesized()
    {
        Expect('(');
        SkipBlanks();
        var inner = ToLogical(ParseOr(), "parenthesized expression");
        SkipBlanks();
        Expect(')');
        return inner;
    }

    private string? ReadComparisonOperator()
    {
        foreach (var op in (ReadOnlySpan<string>)["==", "!=", "<=", ">=", "<", ">"])
        {
            if (Peek(op)) { _pos += op.Length; return op; }
        }
        return null;
    }

    private void CheckComparable(Expr expr, int position)
    {
        var ok = expr switch
        {
            LiteralExpr => true,
            QueryExpr q => q.IsSingular,
            FunctionExpr f => f.Type == ExprType.Value,
            _ => false,
        };
        if (!ok)
        {
            _pos = position;
            throw Error(expr is QueryExpr ? "a query in a comparison must be a singular query" : "this expression cannot be compared");
        }
    }

    // Converts an operand to a test (RFC 9535 §2.4.3): queries test existence, functions must be LogicalType or NodesType.
    private LogicalExpr ToLogical(Expr expr, string where)
    {
        switch (expr)
        {
            case LogicalExpr logical: return logical;
            case QueryExpr query: return new TestExpr(query);
            case FunctionExpr f when f.Type != ExprType.Value: return new TestExpr(f);
        }
        _pos = expr.Position;
        throw Error(expr is FunctionExpr fn
            ? $"function {fn.Name}() returns a value and cannot be used as a test ({where})"
            : $"a literal cannot be used as a test ({where})");
    }

    private Expr ParseOperand()
    {
        var start = _pos;
        var operand = ParseOperandCore();
        operand.Position = start;
        return operand;
    }

    private Expr ParseOperandCore()
    {
        if (AtEnd) throw Error("expected an expression but the query ended");
        var c = _text[_pos];
        if (c == '@' || c == '$')
        {
            _pos++;
            return new QueryExpr(c == '@', ParseSegments());
        }
        if (c is '\'' or '"')
        {
            var s = ParseStringLiteral();
            return new LiteralExpr(FilterValue.Of(JsonSerializer.SerializeToElement(s)));
        }
        if (c == '-' || char.IsAsciiDigit(c)) return new LiteralExpr(ParseNumberLiteral());
        if (TryKeyword("true", out var t)) return t;
        if (TryKeyword("false", out var f)) return f;
        if (TryKeyword("null", out var n)) return n;
        if (c is >= 'a' and <= 'z') return ParseFunction();
        throw Error($"unexpected '{c}' in a filter expression");
    }

    private bool TryKeyword(string keyword, out Expr literal)
    {
        literal = null!;
        if (!Peek(keyword)) return false;
        var after = _pos + keyword.Length;
        if (after < _text.Length && (char.IsAsciiLetterOrDigit(_text[after]) || _text[after] == '_' || _text[after] == '(')) return false;
        _pos = after;
        literal = new LiteralExpr(FilterValue.Of(JsonDocument.Parse(keyword).RootElement.Clone()));
        return true;
    }

    private FilterValue ParseNumberLiteral()
    {
        var start = _pos;
        if (Peek('-')) _pos++;
        if (AtEnd || !char.IsAsciiDigit(_text[_pos])) throw Error("expected a digit");
        if (_text[_pos] == '0')
        {
            _pos++;
            if (!AtEnd && char.IsAsciiDigit(_text[_pos])) throw Error("leading zeros are not allowed");
        }
        else
        {
            while (!AtEnd && char.IsAsciiDigit(_text[_pos])) _pos++;
        }
        if (Peek('.'))
        {
            _pos++;
            if (AtEnd || !char.IsAsciiDigit(_text[_pos])) throw Error("expected a digit after '.'");
            while (!AtEnd && char.IsAsciiDigit(_text[_pos])) _pos++;
        }
        if (Peek('e') || Peek('E'))
        {
            _pos++;
            if (Peek('+') || Peek('-')) _pos++;
            if (AtEnd || !char.IsAsciiDigit(_text[_pos])) throw Error("expected a digit in the exponent");
            while (!AtEnd && char.IsAsciiDigit(_text[_pos])) _pos++;
        }
        var text = _text.AsSpan(start, _pos - start);
        return FilterValue.Of(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    private FunctionExpr ParseFunction()
    {
        var start = _pos;
        while (!AtEnd && (_text[_pos] is (>= 'a' and <= 'z') or '_' || char.IsAsciiDigit(_text[_pos]))) _pos++;
        var name = _text[start.._pos];
        var parameters = FunctionExpr.ParameterTypes(name);
        if (parameters is null) { _pos = start; throw Error($"unknown function '{name}'"); }
        Expect('(');
        SkipBlanks();
        var args = new List<Expr>();
        if (!Peek(')'))
        {
            while (true)
            {
                var argStart = _pos;
                var arg = ParseOr();
                if (args.Count >= parameters.Length) { _pos = argStart; throw Error($"too many arguments for {name}()"); }
                args.Add(CheckArgument(arg, parameters[args.Count], name, argStart));
                SkipBlanks();
                if (Peek(',')) { _pos++; SkipBlanks(); continue; }
                break;
            }
        }
        Expect(')');
        if (args.Count != parameters.Length) { _pos = start; throw Error($"{name}() takes {parameters.Length} argument(s)"); }
        return new FunctionExpr(name, [.. args]);
    }

    private Expr CheckArgument(Expr arg, ExprType parameter, string function, int position)
    {
        var ok = parameter switch
        {
            ExprType.Value => arg is LiteralExpr || (arg is QueryExpr q && q.IsSingular) || (arg is FunctionExpr f && f.Type == ExprType.Value),
            ExprType.Nodes => arg is QueryExpr,
            _ => arg is LogicalExpr || arg is QueryExpr || (arg is FunctionExpr g && g.Type != ExprType.Value),
        };
        if (!ok)
        {
            _pos = position;
            throw Error($"argument of {function}() does not have the declared type {parameter}Type");
        }
        return arg;
    }
}
