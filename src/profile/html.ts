// A profile as one self-contained HTML page: inline SVG bar charts of where the time goes, then the table.
import { ceilingsLine, coldStartLine, nodesLabel, shapesLabel, totalsLines } from './format.js';
import type { GroupRow, ProfileReport, ProfileRow } from './profile.js';
import { num, pct } from './table.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const PALETTE = [
  '#3b6fd8',
  '#e07b39',
  '#3aa55d',
  '#c8433d',
  '#8a5cc2',
  '#2fa3b5',
  '#b5a22f',
  '#d0619d',
  '#6b7a8f',
  '#7fb03a',
  '#9c6b3f',
  '#4a4ad0',
];

function colorsFor(groups: GroupRow[]): Map<string, string> {
  return new Map(groups.map((g, i) => [g.key, PALETTE[i % PALETTE.length]]));
}

/** Horizontal bars: one per item, label on the left, value on the right. */
function barChart(
  items: { label: string; value: number; color: string; note: string; tip: string }[],
  title: string,
  width = 1100,
): string {
  const rowH = 18,
    top = 28,
    left = 330,
    right = 150;
  const max = Math.max(1e-9, ...items.map((i) => i.value));
  const plotW = width - left - right;
  const h = top + items.length * rowH + 10;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" font-family="sans-serif" font-size="11" ` +
      `role="img" aria-label="${esc(title)}">`,
    `<text x="0" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`,
  ];
  items.forEach((it, i) => {
    const y = top + i * rowH;
    const w = Math.max(1, (plotW * it.value) / max);
    parts.push(
      `<g><title>${esc(it.tip)}</title><text x="${left - 6}" y="${y + 12}" text-anchor="end">${esc(it.label)}</text>` +
        `<rect x="${left}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 5}" fill="${it.color}"/>` +
        `<text x="${(left + w + 5).toFixed(1)}" y="${y + 12}">${esc(it.note)}</text></g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Every step in execution order as one strip, widths proportional to time. */
function timeline(rows: ProfileRow[], colors: Map<string, string>, width = 1100): string {
  const total = rows.reduce((a, r) => a + (r.us ?? 0), 0);
  if (!(total > 0)) return '';
  const h = 40;
  let x = 0;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h + 18}" font-family="sans-serif" ` +
      `font-size="11" role="img" aria-label="timeline">`,
    `<text x="0" y="12" font-size="13" font-weight="bold">Steps in execution order (width = GPU time)</text>`,
  ];
  for (const r of rows) {
    const w = (width * (r.us ?? 0)) / total;
    parts.push(
      `<rect x="${x.toFixed(2)}" y="18" width="${Math.max(0.3, w).toFixed(2)}" height="${h - 4}" ` +
        `fill="${colors.get(r.op) ?? '#999'}" stroke="#fff" stroke-width="${w > 3 ? 0.5 : 0}"><title>#${r.index} ` +
        `${esc(r.variant)} ${esc(r.node)}: ${num(r.us)} µs</title></rect>`,
    );
    x += w;
  }
  parts.push('</svg>');
  return parts.join('\n');
}

export function profileHtml(p: ProfileReport, topN = 30): string {
  const colors = colorsFor(p.byOp);
  const timed = p.rows.some((r) => r.us !== null);
  const top = [...p.rows].sort((a, b) => (b.us ?? 0) - (a.us ?? 0)).slice(0, topN);
  const charts = timed
    ? [
        barChart(
          top.map((r) => ({
            label: `#${r.index} ${r.variant} · ${nodesLabel(r, 26)}`,
            value: r.us ?? 0,
            color: colors.get(r.op) ?? '#999',
            note: `${num(r.us)} µs  ${pct(r.pct)}`,
            tip:
              `${r.origin.join(', ')}\n${shapesLabel(r)}\n${num(r.gflops)} GFLOP/s, ${num(r.gbs)} GB/s, ` +
              `${pct(r.ceilingPct)} of ceiling`,
          })),
          `Top ${top.length} of ${p.rows.length} steps by GPU time (µs)`,
        ),
        barChart(
          p.byOp.map((g) => ({
            label: `${g.key} (${g.steps} steps)`,
            value: g.us ?? 0,
            color: colors.get(g.key) ?? '#999',
            note: `${num(g.us)} µs  ${pct(g.pct)}`,
            tip: `${num(g.gflops)} GFLOP/s`,
          })),
          'GPU time by op (µs)',
        ),
        timeline(p.rows, colors),
      ].join('\n')
    : '<p class="warn">No per-step GPU times (wall-clock fallback): no chart.</p>';
  const legend = p.byOp
    .map((g) => `<span class="key"><i style="background:${colors.get(g.key)}"></i>${esc(g.key)}</span>`)
    .join(' ');
  const maxUs = Math.max(1e-9, ...p.rows.map((r) => r.us ?? 0));
  const rows = p.rows
    .map(
      (r) =>
        `<tr><td>${r.index}</td><td title="${esc(r.origin.join(', '))}">${esc(nodesLabel(r, 40))}</td>` +
        `<td>${esc(r.op)}</td><td>${esc(r.variant)}</td><td>${esc(shapesLabel(r))}</td><td class="n">` +
        `<span class="bar" style="width:${((60 * (r.us ?? 0)) / maxUs).toFixed(1)}px;background:${colors.get(r.op)}">` +
        `</span>${num(r.us)}</td>` +
        `<td class="n">${pct(r.pct)}</td><td class="n">${num(r.gflops)}</td><td class="n">${num(r.gbs)}</td><td ` +
        `class="n">${pct(r.ceilingPct)}${r.bound ? ` ${r.bound === 'memory' ? 'mem' : 'flop'}` : ''}</td></tr>`,
    )
    .join('\n');
  const cold = coldStartLine(p);
  const items = [
    ...totalsLines(p),
    ceilingsLine(p.ceilings, p.ceilingsSource),
    ...(cold ? [cold] : []),
    ...p.notes.map((n) => `note: ${n}`),
  ];
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(p.title)}</title><style>
body{font-family:sans-serif;margin:20px;color:#222}h2{margin:0 0 6px}
ul{margin:6px 0 12px;padding-left:18px;font-size:13px}
table{border-collapse:collapse;font-size:11px;margin-top:10px}
td,th{padding:1px 6px;border-bottom:1px solid #eee;text-align:left;white-space:nowrap}
td.n{text-align:right}.bar{display:inline-block;height:8px;margin-right:4px;vertical-align:middle}.warn{color:#b33}
.key{display:inline-block;margin-right:10px;font-size:12px}
.key i{display:inline-block;width:10px;height:10px;margin-right:3px}</style></head><body>
<h2>${esc(p.title)}</h2><div>${esc(p.adapter)} · inputs ${esc(
    Object.entries(p.inputs)
      .map(([k, s]) => `${k}=${s.join('x')}`)
      .join(' '),
  )}</div>
<ul>${items.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
<div>${legend}</div>
${charts}
<table><tr><th>#</th><th>node(s)</th><th>op</th><th>variant</th><th>shapes</th><th>µs</th><th>%</th><th>GFLOP/s</th>
<th>GB/s</th><th>% ceiling</th></tr>
${rows}</table></body></html>`;
}
