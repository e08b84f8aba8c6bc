import { linearFit } from './fit.js';

/** Inline SVG charts for the report: no script, no external request, prints as vectors. */

export const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export interface ChartLine {
  points: ReadonlyArray<{ time: number; value: number }>;
  color: string;
  label: string;
  /** Draw the least-squares line through the points as a dashed trend. */
  trend?: boolean;
}

const W = 640;
const H = 170;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };
const DAY_MS = 86_400_000;

/** A line chart of daily values on a 0..yMax scale (percent charts use 100). */
export function lineChart(lines: readonly ChartLine[], opts: { yMax?: number; unit?: string; title: string }): string {
  const all = lines.flatMap((l) => l.points);
  if (!all.length) return '';
  const t0 = Math.min(...all.map((p) => p.time));
  const t1 = Math.max(...all.map((p) => p.time));
  const yMax = opts.yMax ?? Math.max(1, ...all.map((p) => p.value)) * 1.1;
  const x = (t: number) => PAD.left + (t1 === t0 ? 0 : ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right));
  const y = (v: number) => PAD.top + (1 - Math.min(v, yMax) / yMax) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [];
  for (const frac of [0, 0.5, 1]) {
    const v = yMax * frac;
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${PAD.left - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="10">${escapeXml(`${Math.round(v)}${opts.unit ?? ''}`)}</text>`);
  }
  const day = (t: number) => new Date(t + 8 * 3600_000).toISOString().slice(5, 10);
  parts.push(`<text x="${PAD.left}" y="${H - 8}" font-size="10">${day(t0)}</text>`);
  parts.push(`<text x="${W - PAD.right}" y="${H - 8}" font-size="10" text-anchor="end">${day(t1)}</text>`);
  lines.forEach((l, i) => {
    if (!l.points.length) return;
    const d = l.points.map((p, j) => `${j ? 'L' : 'M'}${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${l.color}" stroke-width="1.5"/>`);
    const fit = l.trend ? linearFit(l.points.map((p) => ({ x: p.time / DAY_MS, y: p.value }))) : null;
    if (fit) {
      const v = (t: number) => fit.slope * (t / DAY_MS) + fit.intercept;
      parts.push(`<line x1="${x(t0).toFixed(1)}" y1="${y(Math.max(0, v(t0))).toFixed(1)}" x2="${x(t1).toFixed(1)}" y2="${y(Math.max(0, v(t1))).toFixed(1)}" stroke="${l.color}" stroke-dasharray="4 3"/>`);
    }
    parts.push(`<text x="${W - PAD.right - 150 + (i % 2) * 75}" y="${PAD.top + 10 + Math.floor(i / 2) * 12}" font-size="10" fill="${l.color}">${escapeXml(l.label)}</text>`);
  });
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escapeXml(opts.title)}"><title>${escapeXml(opts.title)}</title>${parts.join('')}</svg>`;
}

/** A horizontal bar per risk level for the executive summary. */
export function riskBars(counts: { high: number; medium: number; low: number }, labels: { high: string; medium: string; low: string }): string {
  const max = Math.max(1, counts.high, counts.medium, counts.low);
  const rows: Array<['high' | 'medium' | 'low', string]> = [['high', '#c0392b'], ['medium', '#e67e22'], ['low', '#7f8c8d']];
  const bars = rows
    .map(([k, color], i) => {
      const w = (counts[k] / max) * 360;
      return `<text x="0" y="${i * 22 + 14}" font-size="12">${escapeXml(labels[k])}</text><rect x="80" y="${i * 22 + 3}" width="${w.toFixed(1)}" height="14" fill="${color}"/><text x="${(86 + w).toFixed(1)}" y="${i * 22 + 14}" font-size="12">${counts[k]}</text>`;
    })
    .join('');
  return `<svg viewBox="0 0 480 70" width="480" height="70" role="img">${bars}</svg>`;
}
