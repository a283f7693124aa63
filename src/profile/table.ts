// Plain-text and markdown tables, and the number formats every report shares.

export type Cell = string | number | null | undefined;

const cellText = (c: Cell): string => (c === null || c === undefined ? '' : String(c));
const isNumeric = (s: string) => /^[-+]?[\d.,]+(e[-+]?\d+)?[%x×]?$/.test(s);

/** Columns padded to width; numeric columns right-aligned. */
export function textTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map(cellText));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const right = headers.map((_, i) => text.length > 0 && text.every((r) => !r[i] || isNumeric(r[i])));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

export function mdTable(headers: string[], rows: Cell[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const text = rows.map((r) => r.map(cellText));
  const right = headers.map((_, i) => text.length > 0 && text.every((r) => !r[i] || isNumeric(r[i])));
  return [
    `| ${headers.map(esc).join(' | ')} |`,
    `|${right.map((r) => (r ? '---:' : '---')).join('|')}|`,
    ...text.map((r) => `| ${headers.map((_, i) => esc(r[i] ?? '')).join(' | ')} |`),
  ].join('\n');
}

/** Three significant digits, no exponent for everyday magnitudes. */
export function num(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 10 ** digits) return Math.round(x).toString();
  if (a < 1e-3) return x.toExponential(1);
  return Number(x.toPrecision(digits)).toString();
}

export const pct = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '' : `${x.toFixed(1)}%`;
export const ratio = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '' : `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}x`;
