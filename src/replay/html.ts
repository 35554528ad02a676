/**
 * A recorded episode as one self-contained page (inline CSS and JS, the frames embedded;
 * nothing fetched): a canvas that draws each frame, play, pause, a time slider and the
 * speed, and a readout of the step, its reward terms and the return so far.
 *
 * A MuJoCo frame is drawn from its geoms' poses with an orthographic camera that follows
 * the torso over a floor grid (so the grid scrolls as the robot moves): from the side (the
 * x-z plane) for a planar robot, from above at an angle for a 3D one (Ant), with each
 * geom's shadow on the floor. Every shape is the exact outline of its projection: a
 * capsule projects to a stadium of its radius, an ellipsoid to the ellipse of P A (P A)^T
 * (A its scaled axes, P the view's two rows), a box or cylinder to the convex hull of its
 * corners or rim. Pendulum is its rod at its angle; MountainCar its car on the hill.
 *
 * The frames travel as base64 little-endian float32 (poses) and float64 (rewards, so the
 * page's running return is the episode's, to the last bit): a 1000-step Ant replay is
 * about 0.6 MB. `window.__replay` exposes the page's state for tests.
 */
import type { Recording } from './record.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const b64 = (a: Float32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/** The recording as the page's JSON: every typed array as base64. */
function pageData(rec: Recording): unknown {
  const s = rec.scene;
  const scene = s.kind === 'mujoco' ? { ...s, poses: b64(s.poses), rootPos: b64(s.rootPos) }
    : s.kind === 'pendulum' ? { kind: s.kind, angle: b64(s.angle) } : { kind: s.kind, position: b64(s.position) };
  return {
    env: rec.env, seed: rec.seed, fps: rec.fps, realTime: rec.realTime, steps: rec.steps, ret: rec.ret, terminated: rec.terminated,
    rewards: b64(rec.rewards), info: Object.fromEntries(Object.entries(rec.info).map(([k, v]) => [k, b64(v)])), scene,
  };
}

const style = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1d2330; background: #fbfbfd; }
h1 { font-size: 22px; margin: 0 0 4px; } .meta { color: #555; margin: 0 0 12px; overflow-wrap: anywhere; }
.stage { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
canvas { display: block; width: 960px; max-width: 100%; height: auto; border: 1px solid #d5dbe8; border-radius: 6px; background: #f4f6fb; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; margin: 10px 0; max-width: 960px; }
.controls input[type=range] { flex: 1 1 300px; } button { min-width: 5em; font: inherit; padding: 3px 10px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; min-width: 240px; }
th, td { text-align: left; padding: 3px 10px; border-bottom: 1px solid #e3e6ee; } td { text-align: right; font-family: ui-monospace, Menlo, Consolas, monospace; }
tr.total th, tr.total td { font-weight: 700; border-top: 2px solid #c9d0de; }
.note { color: #555; max-width: 960px; }
`;

// Runs in the page. Plain ES2017, no imports: the file is opened straight from disk.
const script = String.raw`
(() => {
'use strict';
const D = JSON.parse(document.getElementById('replay-data').textContent);
function bytes(s) { const b = atob(s), u = new Uint8Array(b.length); for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i); return u.buffer; }
const f32 = (s) => new Float32Array(bytes(s)), f64 = (s) => new Float64Array(bytes(s));
const frames = D.steps + 1, rewards = f64(D.rewards);
const terms = Object.keys(D.info).sort((a, b) => (b.startsWith('reward_') - a.startsWith('reward_')) || (a < b ? -1 : 1)).map((k) => [k, f64(D.info[k])]);
// The return so far, summed in step order from 0 as the episode summed it.
const ret = new Float64Array(frames);
for (let k = 1; k < frames; k++) ret[k] = ret[k - 1] + rewards[k - 1];

const canvas = document.getElementById('view'), ctx = canvas.getContext('2d'), W = canvas.width, H = canvas.height;
const SKY = '#f4f6fb', FLOOR = '#e4e8f0', GRID = '#c3cad8', INK = '#1d2330';
const HUES = [215, 18, 145, 280, 45, 190, 330, 95];
const state = { frame: 0, frames, playing: false, speed: 1, focus: null, camera: null, drawn: [] };

// ---- MuJoCo: geoms under an orthographic camera ----
function dot(a, b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
function quatMat(w, x, y, z) {
  return [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)];
}
const column = (m, i) => [m[i], m[3 + i], m[6 + i]];
// Andrew's monotone chain: the convex hull of 2D points, counter-clockwise.
function hull(pts) {
  pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list) => { const h = []; for (const p of list) { while (h.length >= 2 && cross(h[h.length - 2], h[h.length - 1], p) <= 0) h.pop(); h.push(p); } h.pop(); return h; };
  return half(pts).concat(half(pts.slice().reverse()));
}
function colour(g, light) {
  if (g.limb < 0) return 'hsl(220, 8%, ' + (55 + light) + '%)';
  const hue = HUES[g.limb % HUES.length];
  return g.limb === 0 ? 'hsl(' + hue + ', 45%, ' + (34 + light) + '%)' : 'hsl(' + hue + ', 70%, ' + (40 + 9 * Math.min(g.level - 1, 3) + light) + '%)';
}

function mujocoScene(S) {
  const poses = f32(S.poses), root = f32(S.rootPos), G = S.geoms, n = G.length, side = S.view === 'side';
  const floorZ = S.floorZ === null ? 0 : S.floorZ;
  // Side: looking along +y, x to the right and z up. Oblique: from 35 degrees above, 30 off the side.
  const az = side ? -Math.PI / 2 : -Math.PI / 3, el = side ? 0 : (35 * Math.PI) / 180;
  const eye = side ? [0, -1, 0] : [Math.cos(el) * Math.cos(az), Math.cos(el) * Math.sin(az), Math.sin(el)];
  const right = side ? [1, 0, 0] : [-eye[1] / Math.hypot(eye[0], eye[1]), eye[0] / Math.hypot(eye[0], eye[1]), 0];
  const up = [eye[1] * right[2] - eye[2] * right[1], eye[2] * right[0] - eye[0] * right[2], eye[0] * right[1] - eye[1] * right[0]];
  const bound = (g) => (g.type === 'sphere' ? g.size[0] : g.type === 'capsule' ? g.size[0] + g.size[1]
    : g.type === 'box' ? Math.hypot(g.size[0], g.size[1], g.size[2]) : g.type === 'cylinder' ? Math.hypot(g.size[0], g.size[1]) : Math.max(g.size[0], g.size[1], g.size[2]));
  // The scale: the robot at frame 0 (its farthest geom from the torso) reaches a third of the height.
  let reach = 0.2;
  for (let i = 0; i < n; i++) reach = Math.max(reach, Math.hypot(poses[7 * i] - root[0], poses[7 * i + 1] - root[1], poses[7 * i + 2] - root[2]) + bound(G[i]));
  const scale = (Math.min(W, H) * 0.36) / reach, horizon = side ? 0.78 * H : 0.58 * H;
  const rows = [right, up];
  const shadowRows = [[1, 0, 0], [0, 1, 0]];

  // Each shape in the coordinates of a plane (metres, y up); ctx's transform maps them to pixels.
  function shape(g, c, m, P, T) {
    const pv = (v) => [dot(P[0], v), dot(P[1], v)];
    const pp = (x, y, z) => pv([x - T[0], y - T[1], z - T[2]]);
    const [a, b, h] = g.size, o = pp(c[0], c[1], c[2]);
    if (g.type === 'capsule') {
      const z = column(m, 2);
      return { kind: 'stadium', r: a, p: pp(c[0] - b * z[0], c[1] - b * z[1], c[2] - b * z[2]), q: pp(c[0] + b * z[0], c[1] + b * z[1], c[2] + b * z[2]) };
    }
    if (g.type === 'sphere' || g.type === 'ellipsoid') {
      const s = g.type === 'sphere' ? [a, a, a] : [a, b, h];
      let xx = 0, xy = 0, yy = 0;
      for (let i = 0; i < 3; i++) { const v = pv(column(m, i).map((u) => u * s[i])); xx += v[0] * v[0]; xy += v[0] * v[1]; yy += v[1] * v[1]; }
      const mid = (xx + yy) / 2, d = Math.hypot((xx - yy) / 2, xy);
      return { kind: 'ellipse', o, rx: Math.sqrt(mid + d), ry: Math.sqrt(Math.max(mid - d, 0)), angle: 0.5 * Math.atan2(2 * xy, xx - yy) };
    }
    const X = column(m, 0), Y = column(m, 1), Z = column(m, 2), pts = [];
    const at = (u, v, w) => pp(c[0] + u * X[0] + v * Y[0] + w * Z[0], c[1] + u * X[1] + v * Y[1] + w * Z[1], c[2] + u * X[2] + v * Y[2] + w * Z[2]);
    if (g.type === 'box') { for (const u of [-a, a]) for (const v of [-b, b]) for (const w of [-h, h]) pts.push(at(u, v, w)); }
    else { for (let i = 0; i < 24; i++) { const t = (i / 24) * 2 * Math.PI; for (const w of [-b, b]) pts.push(at(a * Math.cos(t), a * Math.sin(t), w)); } }
    return { kind: 'polygon', o, pts: hull(pts) };
  }
  function trace(s) {
    ctx.beginPath();
    if (s.kind === 'stadium') {
      const phi = Math.atan2(s.q[1] - s.p[1], s.q[0] - s.p[0]);
      ctx.arc(s.q[0], s.q[1], s.r, phi - Math.PI / 2, phi + Math.PI / 2);
      ctx.arc(s.p[0], s.p[1], s.r, phi + Math.PI / 2, phi + (3 * Math.PI) / 2);
      ctx.closePath();
    } else if (s.kind === 'ellipse') ctx.ellipse(s.o[0], s.o[1], s.rx, s.ry, s.angle, 0, 2 * Math.PI);
    else { s.pts.forEach((p, i) => (i ? ctx.lineTo(p[0], p[1]) : ctx.moveTo(p[0], p[1]))); ctx.closePath(); }
  }
  function paint(s, fill, edge, px) {
    trace(s);
    ctx.fillStyle = fill; ctx.fill();
    if (edge) { ctx.strokeStyle = edge; ctx.lineWidth = 1.5 * px; ctx.stroke(); }
  }

  function floor(T) {
    const step = 0.5, px = 1 / scale;
    if (side) {
      ctx.setTransform(scale, 0, 0, -scale, W / 2, horizon);
      const span = W / scale / 2 + step, lo = Math.ceil((-span) / step + T[0] / step), hi = Math.floor(span / step + T[0] / step);
      ctx.fillStyle = FLOOR; ctx.fillRect(-span, floorZ - T[2], 2 * span, -H / scale);
      ctx.lineWidth = px;
      for (let i = lo; i <= hi; i++) {
        const x = i * step - T[0];
        ctx.strokeStyle = i % 2 ? '#dde2ec' : GRID;
        ctx.beginPath(); ctx.moveTo(x, H / scale); ctx.lineTo(x, -H / scale); ctx.stroke();
      }
      ctx.strokeStyle = '#7d879c'; ctx.lineWidth = 2 * px;
      ctx.beginPath(); ctx.moveTo(-span, floorZ - T[2]); ctx.lineTo(span, floorZ - T[2]); ctx.stroke();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = '#5b6476'; ctx.font = '12px system-ui, sans-serif'; ctx.textAlign = 'center';
      for (let i = lo; i <= hi; i++) if (i % 2 === 0) ctx.fillText(i * step + ' m', W / 2 + (i * step - T[0]) * scale, horizon + 18);
      return;
    }
    // The floor plane z = floorZ in its own x-y coordinates.
    ctx.setTransform(scale * right[0], -scale * up[0], scale * right[1], -scale * up[1], W / 2, horizon);
    const span = (1.6 * Math.max(W, H)) / scale / Math.sin(el), lo = (v) => Math.ceil((v - span) / step), hi = (v) => Math.floor((v + span) / step);
    ctx.fillStyle = FLOOR; ctx.fillRect(-span, -span, 2 * span, 2 * span);
    ctx.lineWidth = px;
    for (const axis of [0, 1]) {
      for (let i = lo(T[axis]); i <= hi(T[axis]); i++) {
        const v = i * step - T[axis];
        ctx.strokeStyle = i % 2 ? '#d3d9e4' : GRID;
        ctx.beginPath();
        if (axis === 0) { ctx.moveTo(v, -span); ctx.lineTo(v, span); } else { ctx.moveTo(-span, v); ctx.lineTo(span, v); }
        ctx.stroke();
      }
    }
  }

  return (k) => {
    const T = [root[3 * k], side ? 0 : root[3 * k + 1], floorZ];
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = SKY; ctx.fillRect(0, 0, W, H);
    if (S.floorZ !== null) floor(T);
    const items = [];
    for (let i = 0; i < n; i++) {
      const o = (k * n + i) * 7, c = [poses[o], poses[o + 1], poses[o + 2]], m = quatMat(poses[o + 3], poses[o + 4], poses[o + 5], poses[o + 6]);
      items.push({ g: G[i], c, m, depth: dot([c[0] - T[0], c[1] - T[1], c[2] - T[2]], eye) });
    }
    if (!side && S.floorZ !== null) {
      // Shadows straight down on the floor: each shape in the floor's own coordinates.
      ctx.setTransform(scale * right[0], -scale * up[0], scale * right[1], -scale * up[1], W / 2, horizon);
      for (const it of items) paint(shape(it.g, it.c, it.m, shadowRows, T), 'rgba(40, 48, 66, 0.18)', null, 0);
    }
    ctx.setTransform(scale, 0, 0, -scale, W / 2, horizon);
    items.sort((a, b) => a.depth - b.depth);
    const drawn = [];
    for (const it of items) {
      const s = shape(it.g, it.c, it.m, rows, T);
      paint(s, colour(it.g, 0), colour(it.g, -22), 1 / scale);
      const ends = s.kind === 'stadium' ? [s.p, s.q] : s.kind === 'ellipse' ? [s.o] : s.pts;
      const xs = ends.map((p) => W / 2 + scale * p[0]), ys = ends.map((p) => horizon - scale * p[1]);
      const r = s.kind === 'stadium' ? s.r * scale : s.kind === 'ellipse' ? s.rx * scale : 0;
      drawn.push({ name: it.g.name, type: it.g.type, limb: it.g.limb, left: Math.min(...xs) - r, right: Math.max(...xs) + r, top: Math.min(...ys) - r, bottom: Math.max(...ys) + r });
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    const d = [root[3 * k] - T[0], root[3 * k + 1] - T[1], root[3 * k + 2] - T[2]];
    state.drawn = drawn;
    state.camera = { x: T[0], y: T[1] };
    state.focus = { name: S.root, x: root[3 * k], y: root[3 * k + 1], z: root[3 * k + 2], sx: W / 2 + scale * dot(d, right), sy: horizon - scale * dot(d, up) };
    return [[S.root + ' x (m)', root[3 * k]], [S.root + ' height (m)', root[3 * k + 2] - floorZ]];
  };
}

// ---- Pendulum: a rod of length 1 about a pivot, th = 0 upright, counter-clockwise positive ----
function pendulumScene(S) {
  const angle = f32(S.angle), L = Math.min(W, H) * 0.36, cx = W / 2, cy = H / 2;
  return (k) => {
    const th = angle[k], ex = cx - L * Math.sin(th), ey = cy - L * Math.cos(th);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = SKY; ctx.fillRect(0, 0, W, H);
    ctx.strokeStyle = GRID; ctx.lineWidth = 1; ctx.setLineDash([4, 4]);
    ctx.beginPath(); ctx.arc(cx, cy, L, 0, 2 * Math.PI); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(cx, cy - L - 14); ctx.lineTo(cx, cy + L + 14); ctx.stroke(); ctx.setLineDash([]);
    ctx.lineCap = 'round';
    for (const [style, w] of [['hsl(18, 70%, 30%)', 0.2 * L + 3], ['hsl(18, 75%, 52%)', 0.2 * L]]) {
      ctx.strokeStyle = style; ctx.lineWidth = w; ctx.beginPath(); ctx.moveTo(cx, cy); ctx.lineTo(ex, ey); ctx.stroke();
    }
    ctx.fillStyle = INK; ctx.beginPath(); ctx.arc(cx, cy, 0.05 * L, 0, 2 * Math.PI); ctx.fill();
    state.drawn = [{ name: 'rod', type: 'capsule', left: Math.min(cx, ex), right: Math.max(cx, ex), top: Math.min(cy, ey), bottom: Math.max(cy, ey) }];
    state.focus = { name: 'rod end', x: -Math.sin(th), y: Math.cos(th), sx: ex, sy: ey };
    return [['angle (rad)', Math.atan2(Math.sin(th), Math.cos(th))]];
  };
}

// ---- MountainCar: the car on the hill height 0.45 sin(3 x) + 0.55 (Gymnasium's drawing) ----
function mountainCarScene(S) {
  const position = f32(S.position), MIN = -1.2, MAX = 0.6, GOAL = 0.45;
  // The hill spans heights 0.1 to 1: fit the track's width and that height, centred.
  const s = Math.min((W * 0.9) / (MAX - MIN), (H * 0.72) / 1), x0 = (W - (MAX - MIN) * s) / 2, base = H * 0.92;
  const height = (x) => 0.45 * Math.sin(3 * x) + 0.55;
  const at = (x) => [x0 + (x - MIN) * s, base - height(x) * s];
  return (k) => {
    const x = position[k], [px, py] = at(x), tilt = Math.atan(1.35 * Math.cos(3 * x));
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = SKY; ctx.fillRect(0, 0, W, H);
    ctx.beginPath(); ctx.moveTo(...at(MIN));
    for (let i = 1; i <= 200; i++) ctx.lineTo(...at(MIN + ((MAX - MIN) * i) / 200));
    ctx.lineTo(x0 + (MAX - MIN) * s, H); ctx.lineTo(x0, H); ctx.closePath();
    ctx.fillStyle = FLOOR; ctx.fill(); ctx.strokeStyle = '#7d879c'; ctx.lineWidth = 2; ctx.stroke();
    const [fx, fy] = at(GOAL);
    ctx.strokeStyle = INK; ctx.lineWidth = 2; ctx.beginPath(); ctx.moveTo(fx, fy); ctx.lineTo(fx, fy - 50); ctx.stroke();
    ctx.fillStyle = '#e0b72b'; ctx.beginPath(); ctx.moveTo(fx, fy - 50); ctx.lineTo(fx + 26, fy - 44); ctx.lineTo(fx, fy - 38); ctx.fill();
    // The car: a body on two wheels, tilted with the slope, standing on the curve.
    ctx.setTransform(Math.cos(tilt), -Math.sin(tilt), Math.sin(tilt), Math.cos(tilt), px, py);
    ctx.fillStyle = 'hsl(215, 60%, 45%)'; ctx.strokeStyle = 'hsl(215, 60%, 25%)'; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.rect(-25, -30, 50, 20); ctx.fill(); ctx.stroke();
    ctx.fillStyle = INK;
    for (const wx of [-15, 15]) { ctx.beginPath(); ctx.arc(wx, -8, 7, 0, 2 * Math.PI); ctx.fill(); }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    state.drawn = [{ name: 'car', type: 'box', left: px - 30, right: px + 30, top: py - 36, bottom: py }];
    state.focus = { name: 'car', x, y: height(x), sx: px, sy: py };
    return [['position', x]];
  };
}

const S = D.scene;
const draw = S.kind === 'mujoco' ? mujocoScene(S) : S.kind === 'pendulum' ? pendulumScene(S) : mountainCarScene(S);

// ---- the readout and the controls ----
const table = document.getElementById('readout'), cells = new Map();
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(3) : '\u2014');
function row(label, cls) {
  const tr = table.insertRow(), th = document.createElement('th');
  th.textContent = label; tr.appendChild(th); if (cls) tr.className = cls;
  const td = tr.insertCell(); cells.set(label, td); return td;
}
const slider = document.getElementById('time'), button = document.getElementById('play'), speed = document.getElementById('speed');
slider.max = String(frames - 1);

function show(k) {
  state.frame = k;
  const extra = draw(k);
  if (!cells.size) { row('step'); if (D.realTime) row('time (s)'); row('reward'); for (const [name] of terms) row(name); for (const [label] of extra) row(label); row('return so far', 'total'); }
  cells.get('step').textContent = k + ' of ' + D.steps;
  if (D.realTime) cells.get('time (s)').textContent = (k / D.fps).toFixed(2);
  cells.get('reward').textContent = k ? fmt(rewards[k - 1]) : '\u2014';
  for (const [name, v] of terms) cells.get(name).textContent = k ? fmt(v[k - 1]) : '\u2014';
  for (const [label, v] of extra) cells.get(label).textContent = fmt(v);
  cells.get('return so far').textContent = fmt(ret[k]);
  slider.value = String(k);
  canvas.dataset.frame = String(k);
  if (state.focus) { canvas.dataset.focusX = String(state.focus.x); canvas.dataset.focusSx = state.focus.sx.toFixed(1); }
}

let startMs = 0, startFrame = 0;
function tick(now) {
  if (!state.playing) return;
  const k = Math.min(frames - 1, startFrame + Math.floor(((now - startMs) / 1000) * D.fps * state.speed));
  if (k !== state.frame) show(k);
  if (k === frames - 1) pause(); else requestAnimationFrame(tick);
}
function play() {
  if (state.playing) return;
  if (state.frame === frames - 1) show(0);
  state.playing = true; button.textContent = 'Pause';
  startMs = performance.now(); startFrame = state.frame;
  requestAnimationFrame(tick);
}
function pause() { state.playing = false; button.textContent = 'Play'; }
function seek(k) { pause(); show(Math.max(0, Math.min(frames - 1, Math.round(k)))); }
function setSpeed(v) {
  state.speed = v; speed.value = String(v);
  if (state.playing) { startMs = performance.now(); startFrame = state.frame; }
}

button.addEventListener('click', () => (state.playing ? pause() : play()));
slider.addEventListener('input', () => seek(Number(slider.value)));
speed.addEventListener('change', () => setSpeed(Number(speed.value)));
document.addEventListener('keydown', (e) => {
  const tag = e.target.tagName;
  if (e.key === ' ' && tag !== 'BUTTON' && tag !== 'SELECT') { e.preventDefault(); state.playing ? pause() : play(); }
  else if ((e.key === 'ArrowRight' || e.key === 'ArrowLeft') && tag !== 'INPUT' && tag !== 'SELECT') seek(state.frame + (e.key === 'ArrowRight' ? 1 : -1));
});
window.__replay = Object.assign(state, { seek, play, pause, setSpeed });
show(0);
})();
`;

const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 4];

/** The page for a recording; `caption` says where it came from (the model file, the run and epoch). */
export function replayHtml(rec: Recording, caption: string): string {
  const s = rec.scene;
  const view = s.kind === 'pendulum' ? 'The pendulum swings about its pivot; upright is the goal.'
    : s.kind === 'mountain-car' ? 'The car on the hill 0.45 sin(3x) + 0.55; the flag marks the goal at x = 0.45.'
      : `${s.view === 'side' ? 'A side view (the x-z plane)' : 'An oblique view from above, with the shadows on the floor'}; the camera follows the ${esc(s.root)}, and the floor grid (every 0.5 m) moves past it.`
        + (s.skipped.length ? ` Not drawn: ${esc(s.skipped.join(', '))}.` : '');
  const end = rec.terminated ? `the env ended it at step ${rec.steps}` : `cut at step ${rec.steps} by the time limit`;
  const json = JSON.stringify(pageData(rec)).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>softac replay: ${esc(rec.env)}</title><style>${style}</style></head>
<body>
<h1>softac replay: ${esc(rec.env)}</h1>
<p class="meta">${esc(caption)}. A deterministic episode (the mean action) from reset seed ${rec.seed}: ${end}, return <b>${rec.ret.toFixed(3)}</b>.</p>
<div class="stage">
<div><canvas id="view" width="960" height="540" aria-label="the episode, frame by frame"></canvas>
<div class="controls"><button id="play" type="button">Play</button>
<input id="time" type="range" min="0" value="0" step="1" aria-label="time">
<label>speed <select id="speed">${SPEEDS.map((v) => `<option value="${v}"${v === 1 ? ' selected' : ''}>${v}x</option>`).join('')}</select></label></div>
<p class="note">${view} At 1x it plays ${Number(rec.fps.toFixed(3))} frames per second${rec.realTime ? ', in real time' : ''}. Space plays and pauses; the arrow keys step.</p></div>
<table id="readout" aria-label="the step's reward terms"></table>
</div>
<script type="application/json" id="replay-data">${json}</script>
<script>${script}</script>
</body></html>
`;
}
