// Per-layer parity reports: JSON, and a self-contained HTML page with the error-vs-depth curve.
import type { PerLayerReport } from './per-layer.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function reportJson(r: PerLayerReport, meta: Record<string, unknown>): string {
  return JSON.stringify(
    { ...meta, tolerance: r.tolerance, firstBad: r.firstBad, rows: r.rows },
    (_: string, v: unknown) => (v === Infinity ? 'Infinity' : v),
    2,
  );
}

export function reportHtml(r: PerLayerReport, title: string): string {
  const pts = r.rows
    .filter((x) => x.diff)
    .map((x) => ({ d: x.depth, e: Math.max(x.diff!.relL2, 1e-12), bad: !x.ok, v: x.value }));
  const W = 900,
    H = 320,
    L = 60,
    B = 40;
  const maxD = Math.max(1, ...pts.map((p) => p.d));
  const logs = pts.map((p) => Math.log10(p.e));
  const lo = Math.floor(Math.min(-8, ...logs)),
    hi = Math.ceil(Math.max(-2, ...logs));
  const x = (d: number) => L + ((W - L - 10) * d) / maxD;
  const y = (e: number) => 10 + ((H - B - 10) * (hi - Math.log10(e))) / (hi - lo);
  const ticks = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  const tol = y(Math.max(r.tolerance, 1e-12));
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    ...ticks.map(
      (t) =>
        `<line x1="${L}" x2="${W - 10}" y1="${y(10 ** t)}" y2="${y(10 ** t)}" stroke="#eee"/><text x="${L - 6}" ` +
        `y="${y(10 ** t) + 4}" text-anchor="end">1e${t}</text>`,
    ),
    `<line x1="${L}" x2="${W - 10}" y1="${tol}" y2="${tol}" stroke="#d33" stroke-dasharray="4 3"/><text ` +
      `x="${W - 12}" y="${tol - 4}" text-anchor="end" fill="#d33">tolerance ${r.tolerance}</text>`,
    `<polyline fill="none" stroke="#36c" stroke-width="1.5" ` +
      `points="${pts.map((p) => `${x(p.d)},${y(p.e)}`).join(' ')}"/>`,
    ...pts.map(
      (p) =>
        `<circle cx="${x(p.d)}" cy="${y(p.e)}" r="${p.bad ? 4 : 2}" ` +
        `fill="${p.bad ? '#d33' : '#36c'}"><title>${esc(p.v)}: ${p.e.toExponential(2)}</title></circle>`,
    ),
    `<text x="${(W + L) / 2}" y="${H - 8}" text-anchor="middle">depth (ONNX value in topological order)</text>`,
    `<text x="14" y="${H / 2}" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">relative L2 error</text>`,
    '</svg>',
  ].join('\n');
  const rows = r.rows
    .map((row) => {
      const cls = `${row.ok === false ? 'bad' : ''}${row === r.firstBad ? ' first' : ''}`;
      const status = `${row.status}${row.step && row.status === 'fused' ? ` into ${esc(row.step)}` : ''}`;
      const d = row.diff;
      const cells = [
        String(row.depth),
        esc(row.value),
        esc(row.node),
        esc(row.op),
        status,
        d ? d.relL2.toExponential(2) : '',
        d ? d.maxAbs.toExponential(2) : '',
        d ? String(d.nanInf) : '',
      ];
      return `<tr class="${cls}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
    })
    .join('\n');
  const summary = r.firstBad
    ? `First value over tolerance: <b>${esc(r.firstBad.value)}</b> from node <b>${esc(r.firstBad.node)}</b> ` +
      `(${esc(r.firstBad.op)}), step ${esc(r.firstBad.step ?? '?')}, rel L2 ${r.firstBad.diff!.relL2.toExponential(2)}`
    : 'Every compared value is within tolerance.';
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>
body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;font-size:12px}
td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:left}
tr.bad td{background:#fde8e8}tr.first td{background:#f8c4c4;font-weight:bold}.sum{margin:12px 0;font-size:14px}
</style></head><body>
<h2>${esc(title)}</h2><div class="sum">${summary}</div>${svg}
<table><tr><th>#</th><th>value</th><th>node</th><th>op</th><th>status</th><th>rel L2</th><th>max abs</th>
<th>NaN/Inf</th></tr>
${rows}</table></body></html>`;
}
