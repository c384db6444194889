namespace Sightline.Server.Dashboard;

/// <summary>The dashboard's stylesheet (served from /assets/site.css; no inline styles, strict CSP).</summary>
internal static class Styles
{
    public const string Css = """
        :root { --fg:#1d2330; --muted:#6b7385; --bg:#f6f7fb; --card:#fff; --accent:#3056d3; --bad:#c62828; --warn:#b26a00; --good:#2e7d32; }
        * { box-sizing: border-box; }
        body { margin:0; font:14px/1.45 system-ui, -apple-system, Segoe UI, Roboto, sans-serif; color:var(--fg); background:var(--bg); }
        header { display:flex; flex-wrap:wrap; gap:12px; align-items:center; padding:10px 16px; background:#111827; color:#fff; }
        header a { color:#d6dcff; text-decoration:none; margin-right:10px; }
        header .brand { font-weight:700; color:#fff; font-size:16px; }
        header nav { flex:1; display:flex; flex-wrap:wrap; }
        .logout button { background:none; border:1px solid #5b6478; color:#fff; border-radius:4px; padding:3px 8px; cursor:pointer; }
        main { padding:16px; max-width:1200px; margin:0 auto; }
        h1 { font-size:20px; margin:4px 0 12px; } h2 { font-size:16px; margin:20px 0 8px; }
        .cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(140px, 1fr)); gap:10px; }
        .card { background:var(--card); border-radius:8px; padding:12px; box-shadow:0 1px 2px rgba(0,0,0,.08); }
        .card .label { display:block; color:var(--muted); font-size:12px; } .card strong { font-size:20px; }
        table { width:100%; border-collapse:collapse; background:var(--card); font-size:13px; display:block; overflow-x:auto; }
        th, td { text-align:left; padding:6px 8px; border-bottom:1px solid #e6e8ef; vertical-align:top; word-break:break-word; }
        pre { background:#0f172a; color:#e2e8f0; padding:10px; border-radius:6px; overflow-x:auto; white-space:pre-wrap; word-break:break-all; }
        .muted { color:var(--muted); } .bad { color:var(--bad); font-weight:600; } .warn { color:var(--warn); } .good { color:var(--good); } .error { color:var(--bad); }
        .chart { width:100%; height:auto; background:var(--card); border-radius:8px; }
        .chart .bar { fill:#8ea6f5; } .chart .bar-error { fill:var(--bad); } .chart .axis { stroke:#9aa3b5; } .chart .tick { font-size:11px; fill:var(--muted); }
        .chart .line { fill:none; stroke-width:2; } .chart .p50 { stroke:#2e7d32; fill:#2e7d32; } .chart .p95 { stroke:#b26a00; fill:#b26a00; } .chart .p99 { stroke:#c62828; fill:#c62828; }
        .chart .legend { font-size:12px; stroke:none; } .chart .hover { fill:transparent; } .chart .hover:hover { fill:rgba(48,86,211,.08); }
        .filters, .range { display:flex; flex-wrap:wrap; gap:6px; margin-bottom:10px; align-items:center; }
        .range a, .range strong { padding:2px 8px; border-radius:4px; } .range strong { background:var(--accent); color:#fff; }
        input, select, button { font:inherit; padding:5px 8px; border:1px solid #c9cfdc; border-radius:4px; }
        button { background:var(--accent); color:#fff; border:none; cursor:pointer; }
        .login { max-width:320px; display:flex; flex-direction:column; gap:10px; background:var(--card); padding:16px; border-radius:8px; }
        .login label { display:flex; flex-direction:column; gap:4px; }
        .facts { display:grid; grid-template-columns:max-content 1fr; gap:4px 12px; background:var(--card); padding:12px; border-radius:8px; }
        .facts dt { color:var(--muted); } .facts dd { margin:0; word-break:break-all; }
        .timeline { background:var(--card); border-radius:8px; padding:10px 10px 10px 28px; }
        @media (max-width: 600px) { main { padding:8px; } .card strong { font-size:16px; } }
        """;
}
