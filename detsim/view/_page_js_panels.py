"""The page's script, part 2: the step panel with the model's state after the selected
step (what changed highlighted), the wait-for graph with its cycle, the lasso, the
list of steps, and the controls (inlined by ``_html`` after part 1)."""

SCRIPT_PANELS = r"""
(function () {
"use strict";
const {S, steps, D, N, esc, marks, select, listeners, started, timed} = window.detsim;
const V = S.outcome.violation;

// ---- the state after a step: changes applied from the nearest keyframe --------------------
const EVERY = 128, frames = [];
function rowsAt(i) {
  if (!S.state.length) return null;
  i = Math.min(i, S.state.length - 1);
  const k = Math.floor(i / EVERY);
  for (let f = frames.length; f <= k; f++) {
    const base = f ? Object.assign({}, frames[f - 1]) : {};
    const end = Math.min(f * EVERY, S.state.length - 1);
    for (let j = f ? (f - 1) * EVERY + 1 : 0; j <= end; j++) apply(base, S.state[j]);
    frames.push(base);
  }
  const rows = Object.assign({}, frames[k]);
  for (let j = k * EVERY + 1; j <= i; j++) apply(rows, S.state[j]);
  return rows;
}
function apply(rows, change) {
  for (const key in change) { if (change[key] === null) delete rows[key]; else rows[key] = change[key]; }
}

function stepPanel(i) {
  const s = steps[i], box = document.getElementById("step-panel");
  const where = s.at ? `${esc(S.files[s.at[0]])}:${s.at[1]} in ${esc(s.at[2])}` : "";
  const did = s.said.map((p) => `<li>${esc(p)}</li>`).join("");
  const ds = s.d.map((k) => {
    const d = D[k], c = d.candidates;
    const tag = d.dev ? `<b style="color:var(--dev)">⚑ deviation</b> ` : "";
    const pre = d.pre ? ` <b style="color:var(--pre)">▲ preemption</b>` : "";
    return `<li>${tag}#${d.pos} ${esc(d.label)} (${esc(d.kind)}): chose <b>${esc(c[d.chosen])}</b>` +
           (d.dev ? `, default ${esc(c[0])}` : "") + ` among ${esc(c.join(", "))}${pre}</li>`;
  }).join("");
  const rows = rowsAt(i), change = S.state[Math.min(i, S.state.length - 1)] || {};
  let table = `<p class="empty">no state recorded</p>`;
  if (rows) {
    const keys = Object.keys(rows);
    for (const key in change) if (change[key] === null) keys.push(key);
    const gone = (key) => change[key] === null;
    table = `<table class="state" id="state-table"><tr><th>after step ${i}</th><th>value</th></tr>` +
      keys.map((key) => `<tr class="${key in change ? (gone(key) ? "gone changed" : "changed") : ""}" data-key="${esc(key)}">` +
        `<td class="key">${esc(key)}</td><td class="val">${gone(key) ? "(removed)" : esc(rows[key])}</td></tr>`).join("") + `</table>`;
  }
  box.innerHTML = `<h2>step</h2><div class="step-head" id="step-head">step <b>${i}</b> at t=${esc(s.t)}: ` +
    `<span class="proc">${esc(s.p)}</span>${where ? " ran to " + where : ""}</div>` +
    (s.code ? `<div><span class="code">${esc(s.code)}</span></div>` : "") +
    (did ? `<ul class="did">${did}</ul>` : "") + (ds ? `<ul class="did">${ds}</ul>` : "") +
    `<h2 style="margin-top:10px">state after this step <span class="meta">(changed rows highlighted)</span></h2>${table}`;
}

// ---- the wait-for graph at the violation --------------------------------------------------
function waitfor() {
  const W = S.waitfor, side = [];
  const names = new Map();
  const key = (kind, name) => kind + ":" + name;
  for (const [ak, a, bk, b] of W.edges) { names.set(key(ak, a), [ak, a]); names.set(key(bk, b), [bk, b]); }
  if (!names.size) return `<h2>wait-for graph</h2><p class="empty">nobody waits on anybody at the end</p>`;
  const cyc = W.cycle || [], onCycle = new Set(), cycleEdges = new Set();
  const kindOf = (n) => [...names.values()].find((v) => v[1] === n);
  for (let k = 0; k < cyc.length; k++) {
    const a = kindOf(cyc[k]), b = kindOf(cyc[(k + 1) % cyc.length]);
    if (!a || !b) continue;
    onCycle.add(key(...a)); cycleEdges.add(key(...a) + ">" + key(...b));
  }
  const order = [...onCycle, ...[...names.keys()].filter((k) => !onCycle.has(k))];
  const n = order.length, R = Math.max(70, n * 16), cx = R + 70, cy = R + 24, pos = {};
  order.forEach((k, j) => { const a = -Math.PI / 2 + 2 * Math.PI * j / n; pos[k] = [cx + R * Math.cos(a), cy + R * Math.sin(a)]; });
  side.push(`<defs><marker id="wf-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L8,4L0,8z" fill="#495057"/></marker></defs>`);
  for (const [ak, a, bk, b] of W.edges) {
    const p = pos[key(ak, a)], q = pos[key(bk, b)], c = cycleEdges.has(key(ak, a) + ">" + key(bk, b));
    const dx = q[0] - p[0], dy = q[1] - p[1], len = Math.hypot(dx, dy) || 1, cut = 26;
    side.push(`<line class="edge${c ? " cycle" : ""}" marker-end="url(#wf-arrow)" x1="${p[0] + dx / len * cut}" y1="${p[1] + dy / len * 12}" x2="${q[0] - dx / len * cut}" y2="${q[1] - dy / len * 12}"><title>${esc(a)} ${ak === "task" ? "waits for" : "is held by"} ${esc(b)}</title></line>`);
  }
  for (const k of order) {
    const [kind, name] = names.get(k), [x, y] = pos[k], c = onCycle.has(k) ? " cycle" : "";
    const w = Math.max(44, name.length * 6.4 + 10);
    side.push(kind === "task"
      ? `<ellipse class="node-task${c}" cx="${x}" cy="${y}" rx="${w / 2}" ry="11"/>`
      : `<rect class="node-res${c}" x="${x - w / 2}" y="${y - 10}" width="${w}" height="20" rx="3"/>`);
    side.push(`<text x="${x}" y="${y + 4}" text-anchor="middle">${esc(name)}</text>`);
  }
  const title = cyc.length ? `wait-for graph at the violation — the cycle in red` : `wait-for graph at the end`;
  return `<h2>${title}</h2><svg class="wf" id="waitfor" width="${2 * cx}" height="${2 * cy + 10}">${side.join("")}</svg>` +
         (cyc.length ? `<div class="meta" id="cycle-text">${esc(cyc.concat(cyc[0]).join(" → "))}</div>` : "");
}

function lasso() {
  const L = S.lasso;
  if (!L) return "";
  const rows = (a, b) => { const out = []; for (let i = a; i <= b && out.length < 12; i++) {
    const r = rowsAt(i); out.push(`<div>step ${i} ${esc(steps[i] ? steps[i].p : "")}: ${esc(r ? (r["state()"] || "") : "")}</div>`); } return out.join(""); };
  return `<h2 style="margin-top:12px">livelock lasso</h2><div class="meta">prefix steps ${L.prefix[0]}–${L.prefix[1]}, ` +
    `then a cycle of steps ${L.cycle[0]}–${L.cycle[1]} through ${L.states} abstract state(s), repeated</div>` +
    `<div class="lasso-list" id="lasso"><b>cycle:</b>${rows(L.cycle[0], L.cycle[1])}<div>↺ back to step ${L.cycle[0]}</div></div>`;
}

function historyNote() {
  return S.histories.filter((h) => h.ops.length).map((h) => {
    const bad = h.ops.find((o) => o.id === h.bad);
    return `<h2 style="margin-top:12px">history ${esc(h.name)}</h2><div class="meta">${h.ops.length} operations by ` +
      `${new Set(h.ops.map((o) => o.client)).size} client(s); ${h.checked ? esc(h.verdict || "not checked") : "no linearizability property"}` +
      (h.checked && h.verdict === "not linearizable" ? `; longest linearizable prefix: ${h.prefix.length} op(s) (green), ` +
        `first that cannot be placed: <b>${bad ? esc("client " + bad.client + ": " + bad.label) : "?"}</b> (red)` : "") + `</div>`;
  }).join("");
}

// ---- the list of steps: a window of rows around the selected step ----------------------
const WINDOW = 150;
let shown = [-1, -1];
function stepRow(s) {
  const m = marks(s), g = (m.dev ? "⚑" : "") + (m.pre ? `<span class="p">▲</span>` : "") + (m.fault ? "✗" : "");
  const where = s.at ? `${S.files[s.at[0]].split("/").pop()}:${s.at[1]}` : "";
  const did = s.said.slice(0, 4).join("; ") + (s.said.length > 4 ? " …" : "");
  return `<tr data-step="${s.i}"><td class="g">${g}</td><td class="n">${s.i}</td><td>t=${esc(s.t)}</td>` +
         `<td>${esc(s.p)}</td><td>${esc(where)}</td><td><span class="code">${esc(s.code)}</span> ${esc(did)}</td></tr>`;
}
function stepsTable(i) {
  if (i >= shown[0] && i <= shown[1]) return;
  const a = Math.max(1, i - WINDOW), b = Math.min(N, i + WINDOW), rows = [];
  if (a > 1) rows.push(`<tr data-step="${a - 1}"><td></td><td class="n">…</td><td colspan="4" class="meta">steps 1–${a - 1} above (select one to see it here)</td></tr>`);
  for (let k = a; k <= b; k++) rows.push(stepRow(steps[k]));
  if (b < N) rows.push(`<tr data-step="${b + 1}"><td></td><td class="n">…</td><td colspan="4" class="meta">steps ${b + 1}–${N} below</td></tr>`);
  shown = [a, b];
  document.getElementById("steps-table-body").innerHTML = rows.join("");
}
function stepsBox() {
  const box = document.getElementById("steps-box");
  box.innerHTML = `<h2>steps</h2><table class="steps" id="steps-table"><thead><tr><th></th><th>step</th><th>time</th><th>process</th><th>ran to</th><th>what</th></tr></thead><tbody id="steps-table-body"></tbody></table>`;
  box.addEventListener("click", (e) => { const tr = e.target.closest("tr[data-step]"); if (tr) select(+tr.dataset.step); });
}

timed("side", () => { document.getElementById("side-panel").innerHTML = waitfor() + lasso() + historyNote(); });
timed("steps", stepsBox);
let selectedRow = null;
listeners.push((i) => {
  stepPanel(i);
  stepsTable(i);
  if (selectedRow) selectedRow.classList.remove("sel");
  selectedRow = document.querySelector(`#steps-table tr[data-step="${i}"]`);
  if (selectedRow) selectedRow.classList.add("sel");
});
const slider = document.getElementById("slider");
slider.addEventListener("input", () => select(+slider.value));
document.getElementById("prev").onclick = () => select(window.detsim.current() - 1);
document.getElementById("next").onclick = () => select(window.detsim.current() + 1);
document.getElementById("next-dev").onclick = () => {
  const now = window.detsim.current();
  const next = steps.find((s) => s.i > now && marks(s).dev) || steps.find((s) => marks(s).dev);
  if (next) { select(next.i); window.detsim.centre(next.i); }
};
document.addEventListener("keydown", (e) => {
  if (e.target.tagName === "INPUT" && e.target.type !== "range") return;
  if (e.key === "ArrowLeft") { select(window.detsim.current() - 1); e.preventDefault(); }
  if (e.key === "ArrowRight") { select(window.detsim.current() + 1); e.preventDefault(); }
});
const first = V ? Math.min(V.step, N) : N;
timed("select", () => { select(first); window.detsim.centre(first); });
timed("layout", () => document.body.offsetHeight);
document.body.dataset.renderMs = String(Math.round(performance.now() - started));
document.body.dataset.readyAt = String(Math.round(performance.now()));
document.body.dataset.rendered = "yes";
})();
"""
