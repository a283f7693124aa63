// The roofline as a self-contained SVG: achieved GFLOP/s against arithmetic intensity (log-log), one point
// per kernel rung and shape, under the adapter's measured compute and bandwidth roofs.
import type { Ceilings } from '../src/profile/ceilings.js';
import { num } from '../src/profile/table.js';
import type { CaseResult } from './results.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const COLORS: Record<string, string> = {
  matmul: '#3b6fd8',
  conv3x3: '#e07b39',
  conv1x1: '#3aa55d',
  depthwise: '#c8433d',
  convTranspose: '#8a5cc2',
  softmax: '#2fa3b5',
  pool: '#b5a22f',
  elementwise: '#d0619d',
  resize: '#6b7a8f',
};

export function rooflineSvg(cases: CaseResult[], c: Ceilings, title: string): string {
  const W = 900,
    H = 560,
    L = 70,
    R = 170,
    T = 40,
    B = 50;
  const pts = cases.flatMap((k) =>
    k.rungs.filter((r) => r.gflops && r.ok !== false).map((r) => ({ k, r, x: k.intensity, y: r.gflops! })),
  );
  const xs = pts.map((p) => p.x).filter((x) => x > 0);
  const ys = pts.map((p) => p.y);
  const x0 = 10 ** Math.floor(Math.log10(Math.min(0.05, ...xs)));
  const x1 = 10 ** Math.ceil(Math.log10(Math.max(100, ...xs)));
  const y0 = 10 ** Math.floor(Math.log10(Math.min(0.1, ...ys)));
  const y1 = 10 ** Math.ceil(Math.log10(Math.max(c.f32Gflops * 1.5, ...ys)));
  const px = (x: number) => L + ((W - L - R) * Math.log10(x / x0)) / Math.log10(x1 / x0);
  const py = (y: number) => H - B - ((H - B - T) * Math.log10(y / y0)) / Math.log10(y1 / y0);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${L}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let e = Math.log10(x0); e <= Math.log10(x1); e++) {
    parts.push(
      `<line x1="${px(10 ** e)}" x2="${px(10 ** e)}" y1="${T}" y2="${H - B}" stroke="#eee"/><text x="${px(10 ** e)}" y="${H - B + 15}" text-anchor="middle">${num(10 ** e)}</text>`,
    );
  }
  for (let e = Math.log10(y0); e <= Math.log10(y1); e++) {
    parts.push(
      `<line x1="${L}" x2="${W - R}" y1="${py(10 ** e)}" y2="${py(10 ** e)}" stroke="#eee"/><text x="${L - 6}" y="${py(10 ** e) + 4}" text-anchor="end">${num(10 ** e)}</text>`,
    );
  }
  // roofs: bandwidth slope up to the ridge, then the FMA peak
  const ridge = c.f32Gflops / c.copyGBs;
  const xa = x0,
    xb = Math.min(x1, Math.max(x0, ridge));
  parts.push(
    `<polyline fill="none" stroke="#222" stroke-width="2" points="${px(xa)},${py(Math.max(y0, xa * c.copyGBs))} ${px(xb)},${py(xb * c.copyGBs)} ${px(x1)},${py(c.f32Gflops)}"/>`,
  );
  parts.push(
    `<text x="${px(x1) - 4}" y="${py(c.f32Gflops) - 6}" text-anchor="end">f32 FMA peak ${num(c.f32Gflops)} GFLOP/s</text>`,
  );
  parts.push(
    `<text x="${px(xa) + 6}" y="${py(Math.max(y0, xa * c.copyGBs)) - 6}" transform="rotate(0)">buffer copy ${num(c.copyGBs)} GB/s</text>`,
  );
  if (c.f16Gflops)
    parts.push(
      `<line x1="${px(ridge)}" x2="${px(x1)}" y1="${py(c.f16Gflops)}" y2="${py(c.f16Gflops)}" stroke="#999" stroke-dasharray="4 3"/><text x="${px(x1) - 4}" y="${py(c.f16Gflops) + 12}" text-anchor="end" fill="#777">f16 FMA ${num(c.f16Gflops)}</text>`,
    );
  for (const p of pts) {
    const color = COLORS[p.k.family] ?? '#555';
    const isDefault = p.r.rung === 'default';
    const tip = `${p.k.id} [${p.r.rung}: ${p.r.variants.join(' + ')}]\n${p.k.shapes}\n${num(p.y)} GFLOP/s at ${num(p.x)} FLOP/B, ${num(p.r.ceilingPct)}% of ceiling`;
    parts.push(
      `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="${isDefault ? 5 : 3.5}" fill="${isDefault ? color : '#fff'}" stroke="${color}" stroke-width="1.5"><title>${esc(tip)}</title></circle>`,
    );
  }
  const fams = [...new Set(cases.map((k) => k.family))];
  fams.forEach((f, i) =>
    parts.push(
      `<circle cx="${W - R + 20}" cy="${T + 10 + i * 18}" r="5" fill="${COLORS[f] ?? '#555'}"/><text x="${W - R + 30}" y="${T + 14 + i * 18}">${esc(f)}</text>`,
    ),
  );
  const ly = T + 20 + fams.length * 18;
  parts.push(
    `<circle cx="${W - R + 20}" cy="${ly}" r="5" fill="#888"/><text x="${W - R + 30}" y="${ly + 4}">registry's choice</text>`,
  );
  parts.push(
    `<circle cx="${W - R + 20}" cy="${ly + 18}" r="3.5" fill="#fff" stroke="#888" stroke-width="1.5"/><text x="${W - R + 30}" y="${ly + 22}">other rungs</text>`,
  );
  parts.push(
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">arithmetic intensity (FLOP per byte of compulsory traffic)</text>`,
  );
  parts.push(
    `<text x="16" y="${(T + H - B) / 2}" transform="rotate(-90 16 ${(T + H - B) / 2})" text-anchor="middle">achieved GFLOP/s</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n');
}
