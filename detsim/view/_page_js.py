"""The page's script, part 1: header, toolbar and the timeline (inlined by ``_html``).

The timeline is one SVG on a step axis: a lane per process grouped by node, a mark
per step (deviations, preemptions and faults marked), a virtual-time ruler, crash,
pause and partition bands, messages as arrows, a livelock's lasso, and each
history's operations per client. ``window.detsim`` exposes the data and ``select``.
"""

SCRIPT_CORE = r"""
(function () {
"use strict";
const started = performance.now();
const S = JSON.parse(document.getElementById("story").textContent);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const steps = S.steps, N = steps.length - 1, V = S.outcome.violation;
const D = S.decisions;
const LEFT = 170, TOP = 28, LANE = 18, GROUP = 16, HIST_ROW = 16;

// ---- header and toolbar ------------------------------------------------------------------
function header() {
  const devs = D.filter((d) => d.dev).length, pre = D.filter((d) => d.pre).length;
  const title = V ? `property <span class="prop" id="property">${esc(V.property)}</span> violated`
                  : `run held <span class="prop" id="property">(${esc(S.outcome.end)})</span>`;
  const params = Object.entries(S.params || {}).map(([k, v]) => `${esc(k)}=${esc(JSON.stringify(v))}`).join(" ");
  const where = V ? ` at t=${esc(V.time)}, step ${esc(V.step)}, process <b>${esc(V.process)}</b>` : "";
  document.getElementById("top").innerHTML =
    `<h1 class="${V ? "" : "held"}">${title}</h1>` +
    (V ? `<pre class="message">${esc(V.message)}</pre>` : "") +
    `<div class="meta">model <b>${esc(S.model)}</b> ${params}${where}</div>` +
    `<div class="meta">${N} steps, ${S.decisions_total ?? D.length} decisions, <b id="n-dev">${devs}</b> deviating from the default, ` +
    `<b id="n-pre">${pre}</b> preemption(s); strategy ${esc(JSON.stringify(S.strategy || {}))}</div>` +
    (S.replay ? `<div class="replay">replay: <code id="replay">${esc(S.replay)}</code><button id="copy">copy</button></div>` : "");
  const copy = document.getElementById("copy");
  if (copy) copy.onclick = () => {
    const text = S.replay;
    const done = () => { copy.textContent = "copied"; setTimeout(() => (copy.textContent = "copy"), 1200); };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, () => fallback(text, done));
    else fallback(text, done);
  };
}
function fallback(text, done) {
  const area = document.createElement("textarea");
  area.value = text; document.body.appendChild(area); area.select();
  try { document.execCommand("copy"); } catch (e) { /* the command stays visible to copy by hand */ }
  area.remove(); done();
}
function toolbar() {
  document.getElementById("toolbar").innerHTML =
    `<button id="prev" title="previous step (←)">◀</button>` +
    `<input type="range" id="slider" min="0" max="${N}" value="${V ? Math.min(V.step, N) : N}">` +
    `<button id="next" title="next step (→)">▶</button><span id="step-no"></span>` +
    `<button id="next-dev" title="next deviation">next ⚑</button>` +
    `<span class="legend"><span class="dev">⚑</span> deviation · <span class="pre">▲</span> preemption · ` +
    `<span class="fault">✗</span> fault · bands: crash / pause / partition</span>`;
}

// ---- lanes -------------------------------------------------------------------------------
const lanes = [], laneOf = {}, groupRows = [];
const base = (name) => name.replace(/[0-9.#\s]+$/, "");
function layoutLanes() {
  // A process respawned under a new name (a Raft timer per term) shares the lane of an
  // earlier one with the same base name once that one has stopped running.
  const first = {}, last = {};
  for (const s of steps) { if (s.i && s.task) { first[s.p] ??= s.i; last[s.p] = s.i; } }
  const byGroup = new Map([["", []]]);
  for (const g of S.groups) byGroup.set(g, []);
  for (const p of S.processes) byGroup.get(byGroup.has(p.group) ? p.group : "").push(p);
  let y = TOP;
  for (const [g, procs] of byGroup) {
    if (!procs.length) continue;
    if (g) { groupRows.push({group: g, y: y}); y += GROUP; }
    const mine = [];
    for (const p of procs) {
      const b = base(p.name), start = first[p.name] ?? 0;
      let lane = mine.find((l) => l.base === b && b && l.free < start);
      if (!lane) { lane = {name: p.name, group: g, y: y, base: b, free: -1, names: []}; mine.push(lane); lanes.push(lane); y += LANE; }
      lane.names.push(p.name);
      lane.free = Math.max(lane.free, last[p.name] ?? start);
      laneOf[p.name] = lanes.indexOf(lane);
    }
    for (const l of mine) if (l.names.length > 1) l.name = `${l.base}* (${l.names.length})`;
  }
  if (steps.some((s) => s.i > 0 && !s.task)) {
    laneOf["(timers)"] = lanes.length; lanes.push({name: "(timers, network)", group: "", y: y, timers: true, names: []}); y += LANE;
  }
  return y;
}
function laneFor(step) {
  const k = laneOf[step.p];
  return k === undefined ? laneOf["(timers)"] : k;
}
const laneY = (k) => (lanes[k] || lanes[0] || {y: TOP}).y;
function groupLane(group) {
  const k = lanes.findIndex((l) => l.group === group);
  return k < 0 ? laneOf["(timers)"] : k;
}

// ---- the timeline SVG --------------------------------------------------------------------
const box = document.getElementById("timeline-box");
const px = Math.max(3, Math.min(16, Math.floor((Math.max(box.clientWidth, 900) - LEFT - 20) / Math.max(N, 1))));
const X = (i) => LEFT + (i - 0.5) * px;
const marks = (step) => {
  const out = {dev: false, pre: false, fault: false};
  for (const k of step.d) { const d = D[k]; out.dev ||= d.dev; out.pre ||= d.pre; out.fault ||= d.kind === "fault" && d.dev; }
  return out;
};

function ruler(parts, height) {
  let last = -1e9, prev = null;
  for (const s of steps) {
    if (s.i === 0 || s.t === prev) continue;
    prev = s.t;
    const x = X(s.i) - px / 2;
    parts.push(`<line class="tick" x1="${x}" x2="${x}" y1="${TOP - 6}" y2="${height}"/>`);
    if (x - last > 46) { parts.push(`<text class="tick-label" x="${x + 2}" y="${TOP - 9}">t=${esc(s.t)}</text>`); last = x; }
  }
}

function bands(parts, height) {
  for (const b of S.bands) {
    const x1 = X(b.from[0]), x2 = b.to ? X(b.to[0]) : X(N + 1);
    if (b.kind === "partition") {
      parts.push(`<rect class="band partition" x="${x1}" y="${TOP}" width="${Math.max(2, x2 - x1)}" height="${height - TOP}"><title>partition ${esc(b.label)}</title></rect>`);
      parts.push(`<text class="band-label" x="${x1 + 3}" y="${height - 4}">partition ${esc(b.label)}</text>`);
      continue;
    }
    const rows = lanes.filter((l) => l.group === b.node);
    if (!rows.length) continue;
    const y1 = rows[0].y, y2 = rows[rows.length - 1].y + LANE;
    parts.push(`<rect class="band ${b.kind}" x="${x1}" y="${y1}" width="${Math.max(2, x2 - x1)}" height="${y2 - y1}"><title>${esc(b.node)} ${b.kind === "crash" ? "down" : "paused"} (${esc(b.label)})</title></rect>`);
    parts.push(`<text class="band-label" x="${x1 + 3}" y="${y1 + 10}">${b.kind === "crash" ? "✗ crashed" : "⏸ paused"}</text>`);
  }
  const L = S.lasso;
  if (L) {
    parts.push(`<rect class="lasso prefix" id="lasso-prefix" x="${X(L.prefix[0])}" y="${TOP}" width="${Math.max(2, X(L.prefix[1]) - X(L.prefix[0]))}" height="${height - TOP}"><title>lasso prefix: steps ${L.prefix[0]}–${L.prefix[1]}</title></rect>`);
    parts.push(`<rect class="lasso cycle" id="lasso-cycle" x="${X(L.cycle[0])}" y="${TOP}" width="${Math.max(2, X(L.cycle[1] + 1) - X(L.cycle[0]))}" height="${height - TOP}"><title>lasso cycle: steps ${L.cycle[0]}–${L.cycle[1]}, repeated</title></rect>`);
    parts.push(`<text class="band-label" x="${X(L.cycle[0]) + 2}" y="${TOP + 10}">↺ cycle</text>`);
  }
}

function receiver(m, at) {
  // the lane of the destination's first process to run after the arrival: who took it
  for (let i = at + 1; i < Math.min(steps.length, at + 200); i++) {
    const s = steps[i];
    if (s.task && s.p.startsWith(m.dst + "/")) return laneOf[s.p];
  }
  return groupLane(m.dst);
}
function messages(parts) {
  for (const m of S.messages) {
    const from = steps[m.sent[0]] || steps[0];
    const y1 = laneY(from.task ? laneFor(from) : groupLane(m.src)) + LANE / 2;
    const at = m.arrived.length ? m.arrived[0][0] : (m.lost_at ? m.lost_at[0] : m.sent[0]);
    const y2 = laneY(receiver(m, at)) + LANE / 2;
    const tip = `${m.src}→${m.dst} #${m.n} ${m.body} (${m.fate}${m.why ? ": " + m.why : ""})`;
    if (!m.arrived.length) {
      const end = m.lost_at ? m.lost_at[0] : (m.fate === "dropped" ? m.sent[0] + 1 : N + 1);
      const x2 = X(end), ym = m.fate === "dropped" ? (y1 + y2) / 2 : y2;
      parts.push(`<line class="msg ${m.fate === "in flight" ? "" : m.fate}" x1="${X(m.sent[0])}" y1="${y1}" x2="${x2}" y2="${ym}"><title>${esc(tip)}</title></line>`);
      if (m.fate !== "in flight") parts.push(`<path class="msg-x" d="M${x2 - 3},${ym - 3}l6,6m0,-6l-6,6"/>`);
      continue;
    }
    m.arrived.forEach((a, k) => {
      parts.push(`<line class="msg${k ? " dup" : ""}" marker-end="url(#arrow)" x1="${X(m.sent[0])}" y1="${y1}" x2="${X(a[0])}" y2="${y2}"><title>${esc(tip)}${k ? " (duplicate)" : ""}</title></line>`);
    });
  }
}

function histories(parts, y) {
  const H = S.histories.filter((h) => h.ops.length);
  for (const h of H) {
    parts.push(`<text class="hist-title" x="6" y="${y + 12}">history ${esc(h.name)}${h.verdict ? " — " + esc(h.verdict) : ""}</text>`);
    y += HIST_ROW + 2;
    const prefix = new Set(h.prefix), clients = [...new Set(h.ops.map((o) => o.client))];
    for (const c of clients) {
      const rows = [];  // each row: the x where it is free again
      const mine = h.ops.filter((o) => o.client === c);
      const placed = mine.map((o) => {
        const a = X(o.call[2] ?? 0), b = o.ret ? X(o.ret[2] ?? N) : X(N + 1);
        let r = rows.findIndex((free) => free <= a);
        if (r < 0) { r = rows.length; rows.push(0); }
        rows[r] = b + 2;
        return [o, a, b, r];
      });
      parts.push(`<text class="lane-label" x="14" y="${y + 12}">client ${esc(c)}</text>`);
      for (const [o, a, b, r] of placed) {
        const cls = ["op", prefix.has(o.id) ? "prefix" : "", h.bad === o.id ? "bad" : "", o.ret ? "" : "open"].join(" ");
        const w = Math.max(3, b - a), yy = y + r * HIST_ROW + 1;
        const why = h.bad === o.id ? " — first operation that cannot be placed" : prefix.has(o.id) ? " — in the longest linearizable prefix" : "";
        parts.push(`<g class="${cls}" data-op="${o.id}"><rect x="${a}" y="${yy}" width="${w}" height="${HIST_ROW - 3}" rx="2"><title>client ${esc(c)}: ${esc(o.label)} [t=${esc(o.call[0])}..${o.ret ? esc(o.ret[0]) : "?"}]${why}</title></rect>` +
                   (w > 40 ? `<text x="${a + 3}" y="${yy + 10}">${esc(o.label.length * 5.5 > w ? o.label.slice(0, Math.max(1, Math.floor(w / 5.5) - 1)) + "…" : o.label)}</text>` : "") + `</g>`);
      }
      y += Math.max(1, rows.length) * HIST_ROW + 2;
    }
  }
  return y;
}

function timeline() {
  let height = layoutLanes();
  const histTop = height + 6;
  const parts = [];
  const bottom = histories(parts, histTop);
  height = Math.max(height, bottom) + 8;
  const width = X(N + 1) + 20;
  const back = [];
  lanes.forEach((l, k) => {
    back.push(`<rect class="lane-bg${k % 2 ? " odd" : ""}" x="0" y="${l.y}" width="${width}" height="${LANE}"/>`);
    const label = l.group && l.name.startsWith(l.group + "/") ? l.name.slice(l.group.length + 1) : l.name;
    back.push(`<text class="lane-label" x="${l.group ? 14 : 6}" y="${l.y + 12}">${esc(label)}${l.names.length > 1 ? `<title>${esc(l.names.join(", "))}</title>` : ""}</text>`);
  });
  for (const g of groupRows) back.push(`<text class="group-label" x="6" y="${g.y + 12}">node ${esc(g.group)}</text>`);
  ruler(back, height);
  bands(back, lanes.length ? lanes[lanes.length - 1].y + LANE : height);
  const fore = [];
  messages(fore);
  const w = Math.max(2, px - 1);
  for (const s of steps) {
    if (s.i === 0) continue;
    const l = {y: laneY(laneFor(s))}, m = marks(s);
    const cls = ["mark", s.task ? "task" : "", m.dev ? "dev" : "", m.fault ? "fault" : ""].join(" ");
    fore.push(`<rect class="${cls}" data-step="${s.i}" x="${X(s.i) - w / 2}" y="${l.y + 4}" width="${w}" height="${LANE - 8}"/>`);
    if (m.dev) fore.push(`<path class="flag" d="M${X(s.i)},${l.y + 4}v-4h5l-2,2l2,2h-5z"/>`);
    if (m.pre) fore.push(`<path class="preempt" d="M${X(s.i) - 2.5},${l.y + LANE}l2.5,-3.5l2.5,3.5z"/>`);
  }
  const defs = `<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L8,4L0,8z" fill="#5c7cfa"/></marker></defs>`;
  document.getElementById("timeline").innerHTML =
    `<svg id="timeline-svg" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${defs}${back.join("")}` +
    `${parts.join("")}${fore.join("")}<line class="cursor" id="cursor" x1="0" x2="0" y1="${TOP - 4}" y2="${height}"/></svg>`;
  document.getElementById("timeline-svg").addEventListener("click", (e) => {
    const mark = e.target.closest("[data-step]");
    if (mark) { select(+mark.dataset.step); return; }
    const r = e.currentTarget.getBoundingClientRect();
    const i = Math.round((e.clientX - r.left - LEFT) / px + 0.5);
    if (i >= 1 && i <= N) select(i);
  });
}

// ---- selection ---------------------------------------------------------------------------
let current = -1;
const listeners = [];
function select(i) {
  i = Math.max(0, Math.min(N, i | 0));
  if (i === current) return;
  const old = document.querySelector(".mark.sel");
  if (old) old.classList.remove("sel");
  const mark = document.querySelector(`.mark[data-step="${i}"]`);
  if (mark) mark.classList.add("sel");
  current = i;
  const cursor = document.getElementById("cursor");
  cursor.setAttribute("x1", X(i)); cursor.setAttribute("x2", X(i));
  document.getElementById("slider").value = i;
  document.getElementById("step-no").textContent = `step ${i} of ${N}`;
  for (const f of listeners) f(i);
}

const timings = {};
const timed = (name, f) => { const t = performance.now(); f(); timings[name] = Math.round(performance.now() - t); };
timings.parse = Math.round(performance.now() - started);
timed("header", header);
timed("toolbar", toolbar);
timed("timeline", timeline);
window.detsim = {S, steps, D, N, esc, marks, select, listeners, started, timings, timed,
                 current: () => current, stepX: X, centre(i) { box.scrollLeft = Math.max(0, X(i) - box.clientWidth / 2); }};
})();
"""
