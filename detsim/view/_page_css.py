"""The page's style sheet (inlined by ``_html``)."""

CSS = r"""
:root { --ink:#1d2330; --mute:#6b7385; --line:#d9dde6; --bg:#f7f8fb; --panel:#fff;
  --dev:#e8590c; --pre:#7048e8; --fault:#c92a2a; --ok:#2b8a3e; --sel:#1c7ed6; --chg:#fff3bf; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: var(--bg); }
header { padding: 14px 18px 10px; background: var(--panel); border-bottom: 1px solid var(--line); }
h1 { font-size: 18px; margin: 0 0 4px; }
h1 .prop { color: var(--fault); }
h1.held .prop { color: var(--ok); }
h2 { font-size: 13px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .04em; color: var(--mute); }
pre.message { margin: 6px 0; padding: 8px 10px; background: #fff5f5; border-left: 3px solid var(--fault);
  white-space: pre-wrap; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; max-height: 14em; overflow: auto; }
.meta { color: var(--mute); }
.meta b { color: var(--ink); font-weight: 600; }
.replay { display: flex; gap: 8px; align-items: center; margin-top: 6px; }
.replay code { background: #f1f3f5; padding: 3px 8px; border-radius: 4px; font-size: 12px; }
button { font: inherit; border: 1px solid var(--line); background: #fff; border-radius: 4px; padding: 2px 10px; cursor: pointer; }
button:hover { border-color: var(--sel); }
#toolbar { display: flex; gap: 10px; align-items: center; padding: 8px 18px; background: var(--panel);
  border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 5; flex-wrap: wrap; }
#toolbar input[type=range] { flex: 1; min-width: 200px; }
#toolbar .legend { color: var(--mute); font-size: 12px; }
.legend .dev { color: var(--dev); } .legend .pre { color: var(--pre); } .legend .fault { color: var(--fault); }
#timeline-box { overflow-x: auto; background: var(--panel); border-bottom: 1px solid var(--line); }
#timeline svg { display: block; }
svg text { font: 11px system-ui, sans-serif; fill: var(--ink); }
svg .lane-label { font-size: 11px; }
svg .group-label { font-weight: 700; fill: var(--mute); }
svg .lane-bg { fill: #fafbfc; } svg .lane-bg.odd { fill: #f3f5f8; }
svg .mark { fill: #8c95a6; }
svg .mark.task { fill: #4c6ef5; }
svg .mark.dev { fill: var(--dev); }
svg .mark.fault { fill: var(--fault); }
svg .flag { fill: var(--dev); }
svg .preempt { fill: var(--pre); }
svg .mark.sel, svg .mark:hover { stroke: #000; stroke-width: 1.5; }
svg .cursor { stroke: var(--sel); stroke-width: 2; opacity: .7; }
svg .tick { stroke: var(--line); }
svg .tick-label { fill: var(--mute); font-size: 10px; }
svg .band.crash { fill: #495057; opacity: .16; } svg .band.pause { fill: #fab005; opacity: .22; }
svg .band.partition { fill: var(--fault); opacity: .08; }
svg .band-label { font-size: 10px; fill: #495057; }
svg .msg { stroke: #5c7cfa; stroke-width: 1; fill: none; opacity: .75; }
svg .msg.dropped, svg .msg.lost { stroke: var(--fault); stroke-dasharray: 3 2; }
svg .msg.dup { stroke-dasharray: 5 2; stroke: #0c8599; }
svg .msg-x { stroke: var(--fault); stroke-width: 2; }
svg .lasso.prefix { fill: #74c0fc; opacity: .12; } svg .lasso.cycle { fill: var(--pre); opacity: .14; }
svg .op rect { fill: #ced4da; stroke: #868e96; }
svg .op.prefix rect { fill: #b2f2bb; stroke: var(--ok); }
svg .op.bad rect { fill: #ffc9c9; stroke: var(--fault); stroke-width: 2.5; }
svg .op.open rect { stroke-dasharray: 4 2; }
svg .op text { font-size: 10px; pointer-events: none; }
svg .hist-title { font-weight: 700; }
#panels { display: grid; grid-template-columns: minmax(380px, 1fr) minmax(320px, 1fr); gap: 12px; padding: 12px 18px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
#steps-box { margin: 0 18px 18px; max-height: 420px; overflow: auto; }
.step-head { font-size: 14px; margin-bottom: 6px; }
.step-head .proc { font-weight: 700; }
.code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f1f3f5; padding: 2px 6px; border-radius: 3px; }
ul.did { margin: 4px 0 8px; padding-left: 18px; }
table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; padding: 2px 6px; border-bottom: 1px solid #eef0f4; vertical-align: top; }
th { color: var(--mute); font-weight: 600; }
table.state td.key { font: 12px ui-monospace, Menlo, Consolas, monospace; color: #495057; white-space: nowrap; }
table.state td.val { font: 12px ui-monospace, Menlo, Consolas, monospace; word-break: break-word; }
table.state tr.changed td { background: var(--chg); }
table.state tr.gone td.val { text-decoration: line-through; color: var(--mute); }
table.steps tr { cursor: pointer; }
table.steps tr:hover td { background: #edf2ff; }
table.steps tr.sel td { background: #d0ebff; }
table.steps td.g { color: var(--dev); font-weight: 700; white-space: nowrap; }
table.steps td.g .p { color: var(--pre); }
table.steps td.n { text-align: right; color: var(--mute); }
.wf .node-task { fill: #dbe4ff; stroke: #4c6ef5; } .wf .node-res { fill: #fff3bf; stroke: #f08c00; }
.wf .edge { stroke: #868e96; stroke-width: 1.2; }
.wf .edge.cycle { stroke: var(--fault); stroke-width: 2.6; }
.wf .node-task.cycle, .wf .node-res.cycle { stroke: var(--fault); stroke-width: 2.4; }
.lasso-list { font: 12px ui-monospace, Menlo, Consolas, monospace; }
.empty { color: var(--mute); font-style: italic; }
"""
