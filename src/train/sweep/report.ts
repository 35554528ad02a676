/**
 * `softac sweep report`: the run directories under a runs root (a sweep's, or `softac bench
 * learn --runs`'s <env>-seed<N>), grouped by their settings (env and every option; the
 * seed apart), each group's final test return as mean ± std over its seeds, one learning-
 * curve SVG with each group's mean and a band of ± one std over the seeds, and a CSV of
 * every run's final return. It reads only config.json and progress.txt, the files Spinning
 * Up's plotting tool reads too.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

import { writeFileAtomic } from '../../io/atomic.js';
import { optionKeys } from '../../sac/options.js';
import { ticks } from '../curve.js';
import { runState } from './job.js';

export interface ReportRun {
  dir: string;
  env: string;
  seed: number;
  options: Record<string, unknown>;
  steps: number[];
  testReturns: number[];
  finished: boolean;
}

export interface ReportGroup {
  /** env and the options in which groups differ, such as "HalfCheetah-v4 lr=0.0003". */
  label: string;
  runs: ReportRun[];
  /** Epochs every run of the group has reached (all of them, for finished runs). */
  epochs: number;
  steps: number[];
  mean: number[];
  std: number[];
}

export interface Report {
  groups: ReportGroup[];
  /** Unfinished runs left out (without includeUnfinished). */
  leftOut: string[];
  text: string;
  svgFile: string;
  csvFile: string;
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The directories directly under `runs` that hold a config.json, by name. */
export function runDirsUnder(runs: string): string[] {
  return readdirSync(runs).sort().map((d) => join(runs, d)).filter((d) => statSync(d).isDirectory() && existsSync(join(d, 'config.json')));
}

function readRuns(runs: string): ReportRun[] {
  const out: ReportRun[] = [];
  for (const dir of runDirsUnder(runs)) {
    const st = runState(dir);
    const c = st.config!;
    if (typeof c.env !== 'string' || typeof c.seed !== 'number' || !c.options || st.steps.length === 0) continue;
    out.push({ dir, env: c.env, seed: c.seed, options: c.options, steps: st.steps, testReturns: st.testReturns, finished: st.done });
  }
  return out;
}

/** Mean and population standard deviation (numpy's default, as Spinning Up's plots use). */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length) };
}

function valueText(v: unknown): string {
  return Array.isArray(v) ? v.join('x') : String(v);
}

export function groupRuns(runs: readonly ReportRun[]): ReportGroup[] {
  const byKey = new Map<string, ReportRun[]>();
  for (const r of runs) {
    const key = JSON.stringify([r.env, optionKeys.map((k) => r.options[k] ?? null)]);
    byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  const groups = [...byKey.values()];
  // The options in which groups differ name them; those all share stay out of the label.
  const differ = optionKeys.filter((k) => new Set(groups.map((g) => JSON.stringify(g[0]!.options[k] ?? null))).size > 1);
  return groups.map((g) => {
    g.sort((a, b) => a.seed - b.seed);
    const epochs = Math.min(...g.map((r) => r.steps.length));
    const steps = g[0]!.steps.slice(0, epochs);
    const stats = steps.map((_, i) => meanStd(g.map((r) => r.testReturns[i]!)));
    const label = [g[0]!.env, ...differ.map((k) => `${kebab(k)}=${valueText(g[0]!.options[k])}`)].join(' ');
    return { label, runs: g, epochs, steps, mean: stats.map((s) => s.mean), std: stats.map((s) => s.std) };
  }).sort((a, b) => a.label.localeCompare(b.label));
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const W = 720, H = 440, L = 70, R = 20, T = 30, B = 50;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Each group's mean test return against env steps, with a band of ± one std over its seeds. */
export function reportSvg(groups: readonly ReportGroup[], title: string): string {
  const lo = groups.flatMap((g) => g.mean.map((m, i) => m - g.std[i]!)).filter(Number.isFinite);
  const hi = groups.flatMap((g) => g.mean.map((m, i) => m + g.std[i]!)).filter(Number.isFinite);
  const yLo = lo.length ? Math.min(...lo) : -1, yHi = hi.length ? Math.max(...hi) : 1;
  const pad = (yHi - yLo) * 0.05 || 1, y0 = yLo - pad, y1 = yHi + pad;
  const x1 = Math.max(1, ...groups.flatMap((g) => g.steps));
  const sx = (x: number) => (L + (x / x1) * (W - L - R)).toFixed(1);
  const sy = (y: number) => (T + (1 - (y - y0) / (y1 - y0)) * (H - T - B)).toFixed(1);
  const series = groups.map((g, gi) => {
    const c = COLORS[gi % COLORS.length]!;
    const up = g.steps.map((s, i) => `${sx(s)},${sy(g.mean[i]! + g.std[i]!)}`);
    const down = g.steps.map((s, i) => `${sx(s)},${sy(g.mean[i]! - g.std[i]!)}`).reverse();
    const band = g.runs.length > 1 ? `<polygon fill="${c}" fill-opacity="0.18" stroke="none" points="${[...up, ...down].join(' ')}"/>` : '';
    return `${band}<polyline fill="none" stroke="${c}" stroke-width="2" points="${g.steps.map((s, i) => `${sx(s)},${sy(g.mean[i]!)}`).join(' ')}"/>`;
  }).join('\n');
  // Bottom right, where rising curves are least likely to be (as learning-curve.svg's legend).
  const names = groups.map((g) => `${g.label} (${g.runs.length} seed${g.runs.length === 1 ? '' : 's'})`);
  const lw = 48 + 6.6 * Math.max(...names.map((n) => n.length)), lx = W - R - 8 - lw, ly = H - B - 10 - 18 * groups.length;
  const legend = `<rect x="${lx.toFixed(1)}" y="${ly}" width="${lw.toFixed(1)}" height="${18 * groups.length + 4}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`
    + names.map((n, gi) => {
      const y = ly + 11 + gi * 18, c = COLORS[gi % COLORS.length]!;
      return `<line x1="${(lx + 8).toFixed(1)}" x2="${(lx + 30).toFixed(1)}" y1="${y}" y2="${y}" stroke="${c}" stroke-width="2"/><text x="${(lx + 36).toFixed(1)}" y="${y + 4}">${esc(n)}</text>`;
    }).join('');
  const yt = ticks(y0, y1, 6).map((v) => `<line x1="${L}" x2="${W - R}" y1="${sy(v)}" y2="${sy(v)}" stroke="#ddd"/><text x="${L - 6}" y="${(Number(sy(v)) + 4).toFixed(1)}" text-anchor="end">${v}</text>`).join('');
  const xt = ticks(0, x1, 6).map((v) => `<text x="${sx(v)}" y="${H - B + 18}" text-anchor="middle">${v}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${esc(title)}</text>
${yt}${xt}
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>
<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">environment steps</text>
<text x="16" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(T + H - B) / 2})">average test return (mean ± std over seeds)</text>
${series}
${legend}
</svg>
`;
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Reads the runs under `runs`, writes sweep-report.svg and sweep-report.csv into `out`, and returns the table. */
export function sweepReport(runs: string, o: { out: string; includeUnfinished?: boolean }): Report {
  const all = readRuns(runs);
  const kept = o.includeUnfinished ? all : all.filter((r) => r.finished);
  const leftOut = all.filter((r) => !kept.includes(r)).map((r) => r.dir);
  const groups = groupRuns(kept);
  const rows = groups.map((g) => {
    const final = meanStd(g.runs.map((r) => r.testReturns[g.epochs - 1]!));
    const unfinished = g.runs.some((r) => !r.finished) ? ' (unfinished)' : '';
    return `| ${g.label} | ${g.runs.map((r) => r.seed).join(', ')} | ${g.epochs}${unfinished} | ${g.steps.at(-1)} | ${final.mean.toFixed(1)} ± ${final.std.toFixed(1)} |`;
  });
  const svgFile = join(o.out, 'sweep-report.svg'), csvFile = join(o.out, 'sweep-report.csv');
  const csv = ['group,env,seed,run,epochs,steps,final_test_return', ...groups.flatMap((g) => g.runs.map((r) =>
    [g.label, r.env, String(r.seed), basename(r.dir), String(g.epochs), String(g.steps.at(-1)), String(r.testReturns[g.epochs - 1])].map(csvCell).join(',')))];
  if (groups.length) {
    mkdirSync(o.out, { recursive: true });
    writeFileAtomic(svgFile, reportSvg(groups, `SAC on ${[...new Set(kept.map((r) => basename(r.env).replace(/\.m?js$/, '')))].join(', ')}: average test return over seeds`));
    writeFileAtomic(csvFile, `${csv.join('\n')}\n`);
  }
  const text = [
    `${runs}: ${kept.length} run${kept.length === 1 ? '' : 's'} in ${groups.length} group${groups.length === 1 ? '' : 's'}`
      + (leftOut.length ? `; ${leftOut.length} unfinished left out (--all includes them)` : ''),
    '',
    '| settings | seeds | epochs | env steps | final test return (mean ± std over seeds) |',
    '|---|---|---:|---:|---:|',
    ...rows,
    '',
    groups.length ? `curves: ${svgFile}; every run's final return: ${csvFile}` : 'nothing to report: no finished run',
  ].join('\n');
  return { groups, leftOut, text, svgFile, csvFile };
}
