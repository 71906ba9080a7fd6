/** The report's stylesheet, injected by main.ts (the page has no other assets). */
export const STYLES = `
:root { color-scheme: light; --fg:#1f2328; --muted:#656d76; --line:#d0d7de; --bg:#f6f8fa; --card:#fff;
  --holding:#0072b2; --waiting:#d55e00; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header.top { background:#0d1b2a; color:#fff; padding:14px 24px; display:flex; align-items:baseline; gap:16px; flex-wrap:wrap; }
header.top h1 { font-size:18px; margin:0; font-weight:600; }
header.top .sub { color:#aab7c4; font-size:13px; }
main { padding:16px 24px 40px; max-width:1800px; margin:0 auto; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 18px; margin-bottom:16px; }
.card h2 { font-size:15px; margin:0 0 10px; }
.muted { color:var(--muted); font-weight:normal; }
.bad { color:#b42318; font-weight:600; }
.verdict { border-left:5px solid var(--waiting); }
.verdict h2 { font-size:17px; margin:2px 0 6px; }
.verdict ul { margin:6px 0 0; padding-left:20px; }
.verdict-kind { text-transform:uppercase; letter-spacing:.06em; font-size:11px; color:var(--muted); }
.timeline-card { padding:0; overflow:hidden; }
.timeline-head { display:flex; align-items:center; gap:18px; flex-wrap:wrap; padding:10px 14px; border-bottom:1px solid var(--line); }
.timeline-head h2 { margin:0; font-size:15px; }
.legend { display:flex; gap:14px; flex-wrap:wrap; font-size:12px; color:var(--muted); align-items:center; }
.legend .group { display:flex; gap:10px; align-items:center; }
.legend .group b { color:var(--fg); font-weight:600; }
.sw { display:inline-block; width:12px; height:12px; border-radius:2px; vertical-align:-2px; margin-right:4px; border:1px solid rgba(0,0,0,.12); }
.controls { margin-left:auto; display:flex; gap:6px; align-items:center; font-size:12px; color:var(--muted); }
.controls button { font:inherit; padding:3px 10px; border:1px solid var(--line); background:#fff; border-radius:6px; cursor:pointer; color:var(--fg); }
.controls button:hover { background:var(--bg); }
.timeline-host { position:relative; width:100%; }
.gt-canvas { display:block; cursor:crosshair; outline:none; }
.gt-overview { display:block; cursor:pointer; border-bottom:1px solid var(--line); }
.gt-canvas.dragging { cursor:grabbing; }
.help { font-size:12px; color:var(--muted); padding:6px 14px 10px; border-top:1px solid var(--line); }
code.source-line { font:11px ui-monospace,monospace; white-space:nowrap; }
kbd { font:11px ui-monospace,monospace; border:1px solid var(--line); border-bottom-width:2px; border-radius:4px; padding:0 4px; background:#fff; }
#gt-tooltip { position:fixed; z-index:10; pointer-events:none; background:#0d1b2a; color:#fff; padding:8px 10px; border-radius:6px;
  font-size:12px; max-width:420px; box-shadow:0 4px 14px rgba(0,0,0,.25); }
#gt-tooltip .tt-title { font-weight:600; }
#gt-tooltip .tt-state { color:#ffd48a; margin-bottom:2px; }
#gt-tooltip .tt-times, #gt-tooltip .tt-column { color:#aab7c4; font-variant-numeric:tabular-nums; }
#gt-tooltip .tt-fn { margin-bottom:1px; word-break:break-all; }
#gt-tooltip .tt-where { color:#aab7c4; }
#gt-tooltip .tt-callers { color:#aab7c4; margin-bottom:2px; }
#gt-details { padding:10px 14px; border-top:1px solid var(--line); min-height:44px; font-size:13px; }
#gt-details h3 { margin:0 0 6px; font-size:14px; }
#gt-details dl { display:grid; grid-template-columns:max-content 1fr; gap:2px 14px; margin:0; }
#gt-details dt { color:var(--muted); }
#gt-details dd { margin:0; font-variant-numeric:tabular-nums; }
#gt-details ol.stack { margin:0; padding-left:20px; }
.fact-grid { display:grid; grid-template-columns:repeat(auto-fill,minmax(220px,1fr)); gap:6px 18px; }
.fact-grid div { display:flex; flex-direction:column; }
.fact-grid .k { font-size:11px; text-transform:uppercase; letter-spacing:.05em; color:var(--muted); }
.fact-grid .v { font-variant-numeric:tabular-nums; overflow-wrap:anywhere; }
.process { border-top:1px solid var(--line); margin-top:12px; padding-top:10px; }
.process h3 { margin:0 0 8px; font-size:14px; }
.warnings { color:#9a6700; margin:8px 0 0; padding-left:20px; }
.anomalies { color:#9a6700; font-size:13px; margin:8px 0 0; }
.table-wrap { overflow-x:auto; }
table.sortable { border-collapse:collapse; width:100%; font-size:13px; font-variant-numeric:tabular-nums; }
table.sortable th { text-align:right; font-weight:600; padding:6px 8px; border-bottom:2px solid var(--line); cursor:pointer; white-space:nowrap; user-select:none; position:sticky; top:0; background:#fff; z-index:1; }
table.sortable th:hover { background:var(--bg); }
table.sortable td { padding:5px 8px; border-bottom:1px solid #eaeef2; text-align:right; white-space:nowrap; }
table.sortable td.text, table.sortable th.text { text-align:left; }
table.sortable tbody tr:hover { background:#f6f8fa; }
table.sortable tr.group-row { cursor:pointer; background:#f7f9fb; }
button.expander { font:inherit; font-weight:600; color:inherit; background:none; border:0; padding:0; cursor:pointer; text-align:left; }
button.expander:focus-visible, .gt-group-toggle:focus-visible { outline:2px solid var(--holding); outline-offset:1px; border-radius:3px; }
.expander-mark { display:inline-block; width:1em; color:var(--muted); }
table.sortable tr.member-row td { background:#fcfcfd; }
.member-name { padding-left:1.4em; }
.gt-group-toggles { position:absolute; left:0; top:0; }
.gt-group-toggle { position:absolute; left:0; padding:0; border:0; background:transparent; cursor:pointer; }
.gt-group-toggle:hover { background:rgba(0,114,178,.06); }
#gt-tooltip .tt-members .tt-label { color:#aab7c4; }
table.functions td.text { max-width:420px; overflow:hidden; text-overflow:ellipsis; }
.table-wrap.tall { max-height:460px; overflow:auto; }
.card-note { font-size:13px; color:var(--muted); margin:-4px 0 8px; max-width:1100px; }
.run-split { margin-top:8px; }
.run-split .k { font-size:11px; text-transform:uppercase; letter-spacing:.05em; color:var(--muted); display:block; margin-bottom:3px; }
.split-bar { display:flex; height:10px; border-radius:2px; overflow:hidden; background:var(--bg); border:1px solid var(--line); }
.split-held { background:var(--holding); } .split-free { background:#009e73; } .split-idle { background:#c5ced8; } .split-handover { background:#e69f00; }
.split-legend { display:flex; flex-wrap:wrap; gap:4px 16px; font-size:12px; color:var(--muted); margin-top:4px; font-variant-numeric:tabular-nums; }
.split-key i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:5px; vertical-align:-1px; }
.bar-cell { position:relative; min-width:80px; }
.bar { position:absolute; left:4px; top:6px; bottom:6px; border-radius:2px; opacity:.22; max-width:calc(100% - 8px); }
.bar-holding { background:var(--holding); } .bar-waiting { background:var(--waiting); }
.bar-text { position:relative; }
.histograms { display:flex; flex-wrap:wrap; gap:16px; }
.histogram { margin:0; }
.histogram-members { flex-basis:100%; }
.histogram-members summary { cursor:pointer; font-size:13px; color:var(--muted); margin-bottom:6px; }
.histogram-members > .histograms { padding-left:14px; border-left:2px solid #c5ced8; }
.histogram figcaption { font-size:13px; margin-bottom:2px; }
.histogram svg { display:block; font:10px system-ui,sans-serif; fill:#57606a; }
.histogram .bars rect { fill:var(--waiting); }
.histogram .bars rect:hover { fill:#a34400; }
.histogram line { stroke:#8c959f; }
.error { background:#fff1f0; border:1px solid #f5c2c0; color:#b42318; padding:14px; border-radius:8px; margin:24px; }
`;
