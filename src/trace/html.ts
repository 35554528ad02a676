/**
 * `softac trace --html FILE`: one self-contained page (inline CSS, SVG and a few lines of
 * JS; nothing fetched). Per chosen row: the graph of the squashed Gaussian down to
 * loss_pi, each node with its value and its gradient, the plain-words sentences beside it
 * (with --explain), and the backup chain as a table. Then plots of the tanh correction
 * log(1 - tanh(u)^2) and of its derivative against u, the stable form against the naive
 * one in float32, with the rows' u marked.
 */
import { explainRow, fmt, fmtVec } from './explain.js';
import { correctionNaiveF32, correctionStable, dCorrectionNaiveF32, dCorrectionStable } from './squash64.js';
import { noGradReason, rowOf, type Trace, type TraceNode, traceNode } from './trace.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Where each node of the policy chain sits: [column, layer]. clamp_active is shown inside log_std_clamped. */
const layout: Record<string, [number, number]> = {
  torso: [1, 0], mu: [0, 1], log_std: [2, 1], eps: [1, 2], log_std_clamped: [2, 2], std: [2, 3], u: [1, 4],
  tanh_u: [0, 5], log_prob_gauss: [1, 5], correction: [2, 5], correction_naive_f32: [3, 5],
  pi_action: [0, 6], logp_pi: [2, 6], q1_pi: [0, 7], q2_pi: [1, 7], q_pi: [0, 8], loss_pi: [1, 9],
};
const edges: [string, string][] = [
  ['torso', 'mu'], ['torso', 'log_std'], ['log_std', 'log_std_clamped'], ['log_std_clamped', 'std'],
  ['mu', 'u'], ['eps', 'u'], ['std', 'u'], ['u', 'tanh_u'], ['tanh_u', 'pi_action'],
  ['u', 'log_prob_gauss'], ['mu', 'log_prob_gauss'], ['std', 'log_prob_gauss'], ['u', 'correction'], ['u', 'correction_naive_f32'],
  ['log_prob_gauss', 'logp_pi'], ['correction', 'logp_pi'], ['pi_action', 'q1_pi'], ['pi_action', 'q2_pi'],
  ['q1_pi', 'q_pi'], ['q2_pi', 'q_pi'], ['q_pi', 'loss_pi'], ['logp_pi', 'loss_pi'],
];
const W = 270, H = 66, DX = 290, DY = 100, PAD = 10, CHARS = 40, NODE_FONT = 12;

const cut = (s: string) => (s.length > CHARS ? `${s.slice(0, CHARS - 1)}…` : s);

// A node's line of more than FIT characters would run past its box (monospace glyphs are
// about 0.6 em wide, and "value " plus CHARS is 46), so such a line is condensed to the
// box's inner width with textLength; shorter lines keep their natural spacing.
const FIT = Math.floor((W - 16) / (0.6 * NODE_FONT));
const nodeLine = (y: number, cls: string, chars: number, markup: string) =>
  `<text x="8" y="${y}" class="${cls}"${chars > FIT ? ` textLength="${W - 16}" lengthAdjust="spacingAndGlyphs"` : ''}>${markup}</text>`;

function graphSvg(trace: Trace, row: number, sentences: Map<string, string> | null): string {
  const at = (name: string) => {
    const [c, l] = layout[name]!;
    return { x: PAD + c * DX, y: PAD + l * DY };
  };
  const width = PAD * 2 + 3 * DX + W, height = PAD * 2 + 9 * DY + H;
  const paths = edges.map(([from, to]) => {
    const a = at(from), b = at(to);
    const x1 = a.x + W / 2, y1 = a.y + H, x2 = b.x + W / 2, y2 = b.y;
    const dashed = to === 'correction_naive_f32' ? ' class="edge naive"' : ' class="edge"';
    return `<path${dashed} d="M${x1} ${y1} C${x1} ${y1 + 40} ${x2} ${y2 - 40} ${x2} ${y2 - 4}" marker-end="url(#arrow)"/>`;
  });
  const clamp = rowOf(traceNode(trace, 'clamp_active'), row)!;
  const boxes = Object.keys(layout).map((name) => {
    const n = traceNode(trace, name), { x, y } = at(name);
    const value = fmtVec(rowOf(n, row)!);
    const grad = n.grad ? fmtVec(rowOf(n, row, 'grad')!) : `none (${noGradReason(name)})`;
    const shownGrad = n.grad ? grad : 'none';
    const active = name === 'log_std_clamped' && clamp.some((c) => c === 1);
    const flag = active ? `clamp active: ${fmtVec(clamp)}` : '';
    const valueLine = `value ${cut(value)}`, gradLine = `grad ${cut(shownGrad)}`;
    const cls = `node${active ? ' clamped' : ''}${name === 'correction_naive_f32' ? ' naive' : ''}`;
    const title = [`${name} = ${n.formula}`, `value ${value}`, `d loss_pi / d ${name} = ${grad}`, ...(sentences ? [sentences.get(name)!] : [])].join('\n');
    return `<g class="${cls}" data-node="${name}" transform="translate(${x} ${y})"><title>${esc(title)}</title>`
      + `<rect width="${W}" height="${H}" rx="6"/>`
      + nodeLine(17, 'name', name.length + (active ? 1 + flag.length : 0), `${esc(name)}${active ? ` <tspan class="flag">${esc(flag)}</tspan>` : ''}`)
      + nodeLine(37, 'value', valueLine.length, esc(valueLine))
      + nodeLine(56, 'grad', gradLine.length, esc(gradLine)) + '</g>';
  });
  return `<svg class="graph" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="the squashed Gaussian of row ${row}">`
    + '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
    + '<path d="M0 0 L10 5 L0 10 z"/></marker></defs>'
    + `${paths.join('')}${boxes.join('')}</svg>`;
}

function nodeTable(nodes: TraceNode[], row: number, sentences: Map<string, string> | null, loss: string): string {
  const rows = nodes.map((n) => {
    const grad = n.grad ? fmtVec(rowOf(n, row, 'grad')!) : `none (${noGradReason(n.name)})`;
    const words = sentences ? `<td class="explain" data-node="${n.name}">${esc(sentences.get(n.name)!)}</td>` : '';
    return `<tr data-node="${n.name}"><th>${esc(n.name)}</th><td><code>${esc(n.formula)}</code></td><td class="num">${esc(fmtVec(rowOf(n, row)!))}</td>`
      + `<td class="num">${esc(grad)}</td>${words}</tr>`;
  });
  return `<table><thead><tr><th>node</th><th>computed as</th><th>value</th><th>d ${loss} / d node</th>${sentences ? '<th>in plain words</th>' : ''}</tr></thead>`
    + `<tbody>${rows.join('')}</tbody></table>`;
}

interface Series {
  cls: string;
  label: string;
  f: (u: number) => number;
}

/** A line plot of each series over u in [-30, 30]; non-finite values break the line and are marked at the edge. */
function plotSvg(id: string, title: string, series: Series[], yRange: [number, number], marks: { u: number; label: string }[]): string {
  const w = 560, h = 320, left = 52, right = 12, top = 28, bottom = 40, U = 30, N = 601;
  const sx = (u: number) => left + ((u + U) / (2 * U)) * (w - left - right);
  const sy = (y: number) => top + ((yRange[1] - y) / (yRange[1] - yRange[0])) * (h - top - bottom);
  const clampY = (y: number) => Math.min(Math.max(y, yRange[0]), yRange[1]);
  const lines = series.map((s) => {
    let d = '', pen = false;
    const bad: string[] = [];
    for (let i = 0; i < N; i++) {
      const u = -U + (2 * U * i) / (N - 1), y = s.f(u);
      if (!Number.isFinite(y)) {
        pen = false;
        if (i % 10 === 0) bad.push(`<text class="bad ${s.cls}" x="${sx(u).toFixed(1)}" y="${(y === -Infinity ? h - bottom - 3 : top + 10).toFixed(1)}">×</text>`);
        continue;
      }
      d += `${pen ? 'L' : 'M'}${sx(u).toFixed(1)} ${sy(clampY(y)).toFixed(1)}`;
      pen = true;
    }
    return `<path class="curve ${s.cls}" d="${d}"/>${bad.join('')}`;
  });
  const ticksX = [-30, -20, -9, 0, 9, 20, 30].map((u) => `<line class="grid" x1="${sx(u)}" x2="${sx(u)}" y1="${top}" y2="${h - bottom}"/><text class="tick" x="${sx(u)}" y="${h - bottom + 14}">${u}</text>`);
  const step = (yRange[1] - yRange[0]) / 4;
  const ticksY = [0, 1, 2, 3, 4].map((i) => yRange[0] + i * step)
    .map((y) => `<line class="grid" x1="${left}" x2="${w - right}" y1="${sy(y)}" y2="${sy(y)}"/><text class="tick y" x="${left - 4}" y="${sy(y) + 4}">${fmt(y)}</text>`);
  const rowMarks = marks.map((m) => {
    const x = sx(Math.min(Math.max(m.u, -U), U));
    return `<line class="mark" x1="${x}" x2="${x}" y1="${top}" y2="${h - bottom}"><title>${esc(m.label)}</title></line>`;
  });
  const legend = series.map((s, i) => `<text class="legend ${s.cls}" x="${left + 8 + i * 250}" y="${top - 8}">— ${esc(s.label)}</text>`);
  return `<figure><svg class="plot" id="${id}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">`
    + `${ticksX.join('')}${ticksY.join('')}${rowMarks.join('')}${lines.join('')}${legend.join('')}`
    + `<text class="axis" x="${w / 2}" y="${h - 6}">u</text></svg><figcaption>${esc(title)}</figcaption></figure>`;
}

// Fits any width from 1024 pixels up: no box has a fixed width that could sum past the
// viewport. The graph keeps its drawn size while there is room and scales down (it is an
// SVG with a viewBox) when there is not; below 1280 pixels the sentences go under it in
// two columns, since beside it they would leave the graph's 12-pixel text too small to
// read. Long formulas, vectors and sentences wrap instead of pushing the page sideways.
const style = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1d2330; background: #fbfbfd; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #555; } code, .num, svg text { font-family: ui-monospace, Menlo, Consolas, monospace; }
.meta, .side li, figcaption { overflow-wrap: anywhere; } td { overflow-wrap: break-word; }
.layout { display: grid; grid-template-columns: minmax(0, auto) minmax(320px, 1fr); gap: 20px; align-items: start; }
.graph { display: block; max-width: 100%; height: auto; } .side { min-width: 0; }
@media (max-width: 1279px) {
  .layout { grid-template-columns: minmax(0, 1fr); }
  .side ol { columns: 2 320px; column-gap: 20px; } .side li { break-inside: avoid; }
}
.node rect { fill: #fff; stroke: #5a6b8c; stroke-width: 1.2; }
.node.clamped rect { stroke: #c0392b; stroke-width: 2.5; } .node.naive rect { stroke-dasharray: 5 3; fill: #fff7f5; }
.node.hot rect { fill: #eef4ff; stroke-width: 2.5; }
.node text { font-size: ${NODE_FONT}px; } .node .name { font-weight: 700; } .node .grad { fill: #7a3e9d; } .flag { fill: #c0392b; font-weight: 400; }
.edge { fill: none; stroke: #9aa6bf; stroke-width: 1.3; } .edge.naive { stroke-dasharray: 5 3; }
marker path { fill: #9aa6bf; }
.side ol { padding-left: 0; margin: 0; list-style: none; } .side li { margin: 0 0 10px; padding: 6px 8px; border-left: 3px solid #d5dbe8; }
.side li.hot { border-color: #3867d6; background: #eef4ff; }
table { border-collapse: collapse; } th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #e3e6ee; vertical-align: top; }
tbody th { white-space: nowrap; } td.explain { min-width: 16em; }
.plots { display: flex; flex-wrap: wrap; gap: 16px; } figure { margin: 0; min-width: 0; max-width: 100%; } figcaption { color: #555; max-width: 560px; }
.plot { display: block; max-width: 100%; height: auto; }
.plot .grid { stroke: #eceff5; } .plot .tick { font-size: 10px; text-anchor: middle; fill: #666; } .plot .tick.y { text-anchor: end; }
.plot .axis { font-size: 12px; text-anchor: middle; } .plot .legend { font-size: 11px; }
.curve { fill: none; stroke-width: 2; } .curve.stable { stroke: #2d6cdf; } .curve.naive { stroke: #e0562b; stroke-dasharray: 6 3; }
.legend.stable { fill: #2d6cdf; } .legend.naive { fill: #e0562b; } .bad { fill: #e0562b; font-size: 11px; text-anchor: middle; }
.mark { stroke: #2a9d55; stroke-width: 1.5; stroke-dasharray: 2 3; }
`;

// Shows the chosen row's section, and ties each graph node to its sentence on hover.
const script = `
const pick = document.getElementById('row');
function show() { for (const s of document.querySelectorAll('section.row')) s.hidden = s.dataset.row !== pick.value; }
pick.addEventListener('change', show);
show();
for (const s of document.querySelectorAll('section.row')) {
  for (const el of s.querySelectorAll('[data-node]')) {
    const mates = () => s.querySelectorAll('[data-node="' + el.dataset.node + '"]');
    el.addEventListener('mouseenter', () => { for (const m of mates()) m.classList.add('hot'); });
    el.addEventListener('mouseleave', () => { for (const m of mates()) m.classList.remove('hot'); });
  }
}
`;

/** The page for these rows (the first is shown; a selector switches), with the sentences when `explain`. */
export function traceHtml(trace: Trace, rows: readonly number[], explain: boolean): string {
  const { sizes, opts, batchSize: B } = trace;
  const sections = rows.map((row) => {
    const sentences = explain ? explainRow(trace, row) : null;
    const side = Object.keys(layout).map((name) => {
      const n = traceNode(trace, name);
      return `<li data-node="${name}"><b>${esc(name)}</b> = <code>${esc(n.formula)}</code>${sentences ? `<br><span class="explain">${esc(sentences.get(name)!)}</span>` : ''}</li>`;
    });
    const piNodes = trace.nodes.filter((n) => n.loss === 'loss_pi'), qNodes = trace.nodes.filter((n) => n.loss === 'loss_q');
    return `<section class="row" data-row="${row}">`
      + `<h2>Row ${row}: the squashed Gaussian, from the torso to loss_pi</h2>`
      + `<div class="layout">${graphSvg(trace, row, sentences)}<div class="side"><ol>${side.join('')}</ol></div></div>`
      + `<h2>Row ${row}: every node of loss_pi</h2>${nodeTable(piNodes, row, sentences, 'loss_pi')}`
      + `<h2>Row ${row}: the backup and loss_q</h2>${nodeTable(qNodes, row, sentences, 'loss_q')}</section>`;
  });
  const u = traceNode(trace, 'u'), A = sizes.actDim;
  const marks = rows.flatMap((r) => rowOf(u, r)!.map((x, j) => ({ u: x, label: `row ${r}${A > 1 ? `, dimension ${j}` : ''}: u = ${fmt(x)}` })));
  const plots = plotSvg('plot-correction', 'log(1 - tanh(u)^2) against u: the stable 2 (log 2 - u - softplus(-2u)) in float64, and the naive form in float32, which is -inf (×) from |u| of about 9. Green lines: the chosen rows\' u.',
    [{ cls: 'stable', label: 'stable', f: correctionStable }, { cls: 'naive', label: 'naive, float32', f: correctionNaiveF32 }], [-60, 5], marks)
    + plotSvg('plot-gradient', 'Its derivative d/du against u: the stable -2 tanh(u), and what reverse mode gives for the naive form in float32, (1/(1 - t^2)) (-2t) (1 - t^2), which is inf * 0 = NaN (×) once tanh(u) rounds to 1.',
      [{ cls: 'stable', label: 'stable', f: dCorrectionStable }, { cls: 'naive', label: 'naive, float32', f: dCorrectionNaiveF32 }], [-2.5, 2.5], marks);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>softac trace</title><style>${style}</style></head>
<body>
<h1>softac trace: one SAC update, node by node</h1>
<p class="meta">obs_dim ${sizes.obsDim}, act_dim ${A}, hidden ${sizes.hidden.join(',')}; a batch of ${B} rows; alpha ${opts.alpha}, gamma ${opts.gamma}, act_limit ${opts.actLimit}.
loss_pi = <b>${esc(fmt(trace.lossPi))}</b>, loss_q = <b>${esc(fmt(trace.lossQ))}</b>. Each node shows its value and its gradient d loss / d node for the chosen row.</p>
<label>row <select id="row">${rows.map((r) => `<option value="${r}">${r}</option>`).join('')}</select></label>
${sections.join('\n')}
<h2>The tanh correction, stable against naive</h2>
<div class="plots">${plots}</div>
<script>${script}</script>
</body></html>
`;
}
