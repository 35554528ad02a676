/**
 * learning-curve.svg: average train and test episode return against environment steps, one
 * point per epoch, as a self-contained SVG (no fonts or scripts fetched). The legend sits
 * bottom right, where a rising return curve is least likely to be.
 */
export interface CurvePoint {
  steps: number;
  train: number;
  test: number;
}

const W = 640, H = 400, L = 70, R = 20, T = 30, B = 50;

export function ticks(lo: number, hi: number, n: number): number[] {
  const span = hi - lo || 1;
  const raw = span / n, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function learningCurveSvg(points: readonly CurvePoint[], title: string): string {
  const finite = points.flatMap((p) => [p.train, p.test]).filter(Number.isFinite);
  const yLo = finite.length ? Math.min(...finite) : -1, yHi = finite.length ? Math.max(...finite) : 1;
  const pad = (yHi - yLo) * 0.05 || 1;
  const y0 = yLo - pad, y1 = yHi + pad;
  const x1 = Math.max(1, ...points.map((p) => p.steps));
  const sx = (x: number) => L + (x / x1) * (W - L - R);
  const sy = (y: number) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  const line = (key: 'train' | 'test', color: string) => {
    const pts = points.filter((p) => Number.isFinite(p[key])).map((p) => `${sx(p.steps).toFixed(1)},${sy(p[key]).toFixed(1)}`);
    return pts.length ? `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>` +
      pts.map((pt) => `<circle cx="${pt.split(',')[0]}" cy="${pt.split(',')[1]}" r="2.5" fill="${color}"/>`).join('') : '';
  };
  const yt = ticks(y0, y1, 6).map((v) => `<line x1="${L}" x2="${W - R}" y1="${sy(v).toFixed(1)}" y2="${sy(v).toFixed(1)}" stroke="#ddd"/>` +
    `<text x="${L - 6}" y="${(sy(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`).join('');
  const xt = ticks(0, x1, 6).map((v) => `<text x="${sx(v).toFixed(1)}" y="${H - B + 18}" text-anchor="middle">${v}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${esc(title)}</text>
${yt}${xt}
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>
<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">environment steps</text>
<text x="16" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(T + H - B) / 2})">average episode return</text>
${line('train', '#1f77b4')}${line('test', '#d62728')}
<rect x="${W - R - 168}" y="${H - B - 48}" width="160" height="40" fill="white" stroke="#ccc"/>
<line x1="${W - R - 160}" x2="${W - R - 138}" y1="${H - B - 35}" y2="${H - B - 35}" stroke="#1f77b4" stroke-width="2"/><text x="${W - R - 132}" y="${H - B - 31}">train</text>
<line x1="${W - R - 160}" x2="${W - R - 138}" y1="${H - B - 18}" y2="${H - B - 18}" stroke="#d62728" stroke-width="2"/><text x="${W - R - 132}" y="${H - B - 14}">test (deterministic)</text>
</svg>
`;
}
