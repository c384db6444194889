namespace Sightline.Server.Dashboard;

/// <summary>The dashboard's stylesheet (served from /assets/site.css; no inline styles, strict CSP).</summary>
internal static class Styles
{
    public const string Css = """
        :root { --fg:#1d2330; --muted:#5f687a; --bg:#f4f6fa; --card:#fff; --line:#e3e6ee; --accent:#3056d3; --bad:#c62828; --warn:#a15c00; --good:#2e7d32; }
        * { box-sizing: border-box; }
        body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
        a { color:var(--accent); }
        header { display:flex; flex-wrap:wrap; gap:6px 16px; align-items:center; padding:8px 16px; background:#111827; color:#fff; }
        header a { color:#cfd6ff; text-decoration:none; padding:4px 8px; border-radius:4px; }
        header a:hover { background:#1f2a44; } header a.active { background:#2b3a66; color:#fff; }
        header .brand { font-weight:700; color:#fff; font-size:16px; padding-left:0; }
        header nav { flex:1; display:flex; flex-wrap:wrap; gap:2px; }
        .logout button { background:none; border:1px solid #5b6478; color:#fff; border-radius:4px; padding:3px 8px; cursor:pointer; white-space:nowrap; }
        main { padding:16px; max-width:1280px; margin:0 auto; }
        .title { display:flex; flex-wrap:wrap; align-items:center; justify-content:space-between; gap:8px 16px; margin-bottom:8px; }
        h1 { font-size:20px; margin:4px 0; } h2 { font-size:15px; margin:22px 0 8px; } h3 { font-size:14px; margin:8px 0; }
        .subtitle { margin:0 0 10px; }
        .scope { display:flex; flex-wrap:wrap; gap:6px 10px; align-items:center; font-size:13px; color:var(--muted); }
        .scope label { display:flex; gap:4px; align-items:center; }
        .cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(130px, 1fr)); gap:10px; }
        .card { background:var(--card); border-radius:8px; padding:10px 12px; box-shadow:0 1px 2px rgba(0,0,0,.08); }
        .card .label { display:block; color:var(--muted); font-size:12px; } .card strong { font-size:20px; white-space:nowrap; }
        .charts { display:grid; grid-template-columns:repeat(auto-fill, minmax(min(100%, 480px), 1fr)); gap:0 16px; }
        .columns { display:grid; grid-template-columns:repeat(auto-fit, minmax(min(100%, 340px), 1fr)); gap:0 16px; align-items:start; }
        .table { overflow-x:auto; background:var(--card); border-radius:8px; box-shadow:0 1px 2px rgba(0,0,0,.06); }
        table { width:100%; border-collapse:collapse; font-size:13px; }
        th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
        th { color:var(--muted); font-weight:600; white-space:nowrap; background:#fafbfd; }
        tbody tr:hover { background:#f7f9ff; }
        td.num { text-align:right; white-space:nowrap; font-variant-numeric:tabular-nums; } .nowrap { white-space:nowrap; }
        td.path, span.path, td.route, td.message { word-break:break-all; min-width:140px; }
        .method { font-weight:600; font-size:12px; color:#374151; }
        .mono, code { font-family:ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:12px; word-break:break-all; }
        pre { background:#0f172a; color:#e2e8f0; padding:10px; border-radius:6px; overflow-x:auto; white-space:pre-wrap; word-break:break-all; font-size:12px; }
        .muted { color:var(--muted); } .bad { color:var(--bad); font-weight:600; } .warn { color:var(--warn); } .good { color:var(--good); } .error { color:var(--bad); }
        .empty { background:var(--card); padding:10px 12px; border-radius:8px; margin:0; }
        .chart { width:100%; height:auto; background:var(--card); border-radius:8px; display:block; }
        .chart .bar { fill:#8ea6f5; } .chart .bar-error { fill:var(--bad); } .chart .bar-warn { fill:#e0a030; }
        .chart .axis { stroke:#9aa3b5; } .chart .grid { stroke:#edf0f5; } .chart .tick { font-size:13px; fill:var(--muted); } .chart .tick.big { font-size:14px; fill:var(--fg); }
        .chart .line { fill:none; stroke-width:2; } .chart .dot { stroke:none; }
        .chart .p50 { stroke:#2e7d32; fill:#2e7d32; } .chart .p95 { stroke:#d08700; fill:#d08700; } .chart .p99 { stroke:#c62828; fill:#c62828; }
        .chart .line.p50, .chart .line.p95, .chart .line.p99 { fill:none; }
        .chart .s0 { fill:#c62828; } .chart .s1 { fill:#d08700; } .chart .s2 { fill:#6a4cc2; } .chart .s3 { fill:#1f8a9e; } .chart .s4 { fill:#8d6e63; } .chart .s5 { fill:#546e7a; }
        .chart .hover { fill:transparent; } .chart .slot:hover .hover { fill:rgba(48,86,211,.08); }
        .chart.waterfall .bar { fill:#c9d4fb; }
        .filters { display:flex; flex-wrap:wrap; gap:8px 10px; margin-bottom:10px; align-items:flex-end; font-size:12px; color:var(--muted); }
        .filters label { display:flex; flex-direction:column; gap:2px; } .filters label.check { flex-direction:row; align-items:center; gap:4px; padding-bottom:6px; }
        input, select, button { font:inherit; font-size:13px; padding:5px 8px; border:1px solid #c9cfdc; border-radius:4px; background:#fff; color:var(--fg); max-width:100%; }
        button { background:var(--accent); color:#fff; border:none; cursor:pointer; }
        button.secondary { background:#e8ecf8; color:var(--accent); } button.danger { background:#fbe9e9; color:var(--bad); }
        .actions { white-space:nowrap; } .actions form { display:inline; margin-right:4px; }
        form.inline { display:flex; flex-wrap:wrap; gap:8px; align-items:center; margin:10px 0; } form.inline label { display:flex; gap:6px; align-items:center; }
        form.stacked { display:flex; flex-direction:column; gap:8px; background:var(--card); padding:12px; border-radius:8px; margin-top:12px; }
        form.stacked label { display:flex; flex-direction:column; gap:3px; }
        .login { max-width:320px; display:flex; flex-direction:column; gap:10px; background:var(--card); padding:16px; border-radius:8px; }
        .login label { display:flex; flex-direction:column; gap:4px; }
        .facts { display:grid; grid-template-columns:max-content 1fr; gap:4px 12px; background:var(--card); padding:12px; border-radius:8px; margin:0; }
        .facts dt { color:var(--muted); } .facts dd { margin:0; word-break:break-all; } .facts.headers dt { font-weight:600; color:var(--fg); }
        .timeline { background:var(--card); border-radius:8px; padding:10px 10px 10px 28px; margin-top:8px; }
        .error-box { background:#fff5f5; border:1px solid #f3c7c7; border-radius:8px; padding:4px 12px; margin:12px 0; }
        .error-box h2 { color:var(--bad); margin-top:8px; }
        .notice { background:#eaf5ea; border:1px solid #b9dfba; padding:8px 12px; border-radius:6px; } .notice.error { background:#fff5f5; border-color:#f3c7c7; }
        .new-key { background:#fff8e1; border:1px solid #f0d48a; padding:4px 12px 8px; border-radius:8px; }
        .new-key code { display:block; font-size:14px; padding:8px; background:#fff; border-radius:4px; user-select:all; }
        .badge { font-size:11px; background:#e8ecf8; color:var(--accent); border-radius:10px; padding:1px 6px; }
        .pager { margin:10px 0; }
        @media (max-width: 700px) {
          main { padding:10px 8px; } .card strong { font-size:16px; }
          header { padding:6px 8px; } header nav { order:3; flex-basis:100%; } header .logout { margin-left:auto; }
          header a { padding:3px 6px; }
          .facts { grid-template-columns:1fr; } .facts dd { margin-bottom:6px; }
          .chart .tick { font-size:17px; } .chart .tick.big { font-size:19px; }
        }
        """;
}
