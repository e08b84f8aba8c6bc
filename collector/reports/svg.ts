import { linearFit } from './fit.js';
import { localDate } from './holiday-calendar.js';

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

export interface ChartOptions {
  yMax?: number;
  unit?: string;
  title: string;
  /** The window the chart covers: the x axis spans it whatever points there are (default: the points' own span). */
  from?: number;
  to?: number;
  /** What an empty chart says (why there is nothing to draw); the chart is still drawn, with its axes. */
  emptyText: string;
  /** Font for the text inside the chart (the report's CJK font, so Chinese labels print). */
  font?: string;
}

export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 180;
const W = CHART_WIDTH;
const H = CHART_HEIGHT;
const PAD = { left: 44, right: 12, top: 22, bottom: 26 };
const DAY_MS = 86_400_000;
/** Up to this many points a line also gets a marker per point, so a short window reads point by point. */
const MARKERS_UP_TO = 45;

/**
 * A line chart of daily values on a 0..yMax scale (percent charts use 100). It draws for any window: a line
 * with a single point is drawn as a dot, a short line gets a dot per point, and a chart without any point says
 * why (`emptyText`) inside its frame instead of vanishing.
 */
export function lineChart(lines: readonly ChartLine[], opts: ChartOptions): string {
  const all = lines.flatMap((l) => l.points);
  const pointsFrom = all.length ? Math.min(...all.map((p) => p.time)) : 0;
  const pointsTo = all.length ? Math.max(...all.map((p) => p.time)) : 0;
  const t0 = opts.from ?? pointsFrom;
  // Daily points stand at the start of their day: the axis ends at the window's last day start so the last point lands on it.
  const t1 = Math.max(t0 + 1, opts.to !== undefined ? Math.max(pointsTo, opts.to - DAY_MS) : pointsTo);
  const yMax = opts.yMax ?? Math.max(1, ...all.map((p) => p.value)) * 1.1;
  const x = (t: number) => PAD.left + ((Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - Math.min(Math.max(v, 0), yMax) / yMax) * (H - PAD.top - PAD.bottom);
  const font = opts.font ? ` font-family="${escapeXml(opts.font)}"` : '';
  const parts: string[] = [];
  parts.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${H - PAD.top - PAD.bottom}" fill="none" stroke="#bbb"/>`);
  for (const frac of [0, 0.5, 1]) {
    const v = yMax * frac;
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${PAD.left - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="10">${escapeXml(`${Math.round(v)}${opts.unit ?? ''}`)}</text>`);
  }
  parts.push(`<text x="${PAD.left}" y="${H - 8}" font-size="10">${localDate(t0)}</text>`);
  parts.push(`<text x="${W - PAD.right}" y="${H - 8}" font-size="10" text-anchor="end">${localDate(t1)}</text>`);
  if (!all.length) {
    parts.push(`<text x="${W / 2}" y="${(H + PAD.top - PAD.bottom) / 2 + 4}" font-size="12" text-anchor="middle" fill="#777">${escapeXml(opts.emptyText)}</text>`);
  }
  lines.forEach((l, i) => {
    const legendX = PAD.left + 6 + i * 110;
    parts.push(`<rect x="${legendX}" y="6" width="10" height="10" fill="${l.color}"/><text x="${legendX + 14}" y="15" font-size="10">${escapeXml(l.label)}</text>`);
    if (!l.points.length) return;
    if (l.points.length > 1) {
      const d = l.points.map((p, j) => `${j ? 'L' : 'M'}${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
      parts.push(`<path d="${d}" fill="none" stroke="${l.color}" stroke-width="1.5"/>`);
    }
    if (l.points.length <= MARKERS_UP_TO) {
      for (const p of l.points) parts.push(`<circle cx="${x(p.time).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="${l.points.length === 1 ? 3.5 : 2}" fill="${l.color}"/>`);
    }
    const fit = l.trend ? linearFit(l.points.map((p) => ({ x: p.time / DAY_MS, y: p.value }))) : null;
    if (fit) {
      const v = (t: number) => fit.slope * (t / DAY_MS) + fit.intercept;
      const a = l.points[0]!.time;
      const b = l.points[l.points.length - 1]!.time;
      parts.push(`<line x1="${x(a).toFixed(1)}" y1="${y(v(a)).toFixed(1)}" x2="${x(b).toFixed(1)}" y2="${y(v(b)).toFixed(1)}" stroke="${l.color}" stroke-dasharray="4 3"/>`);
    }
  });
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}"${font} role="img" aria-label="${escapeXml(opts.title)}"><title>${escapeXml(opts.title)}</title>${parts.join('')}</svg>`;
}

/** A horizontal bar per risk level for the executive summary. */
export function riskBars(counts: { high: number; medium: number; low: number }, labels: { high: string; medium: string; low: string }, font?: string): string {
  const max = Math.max(1, counts.high, counts.medium, counts.low);
  const rows: Array<['high' | 'medium' | 'low', string]> = [['high', '#c0392b'], ['medium', '#e67e22'], ['low', '#7f8c8d']];
  const bars = rows
    .map(([k, color], i) => {
      const w = (counts[k] / max) * 360;
      return `<text x="0" y="${i * 22 + 14}" font-size="12">${escapeXml(labels[k])}</text><rect x="80" y="${i * 22 + 3}" width="${w.toFixed(1)}" height="14" fill="${color}"/><text x="${(86 + w).toFixed(1)}" y="${i * 22 + 14}" font-size="12">${counts[k]}</text>`;
    })
    .join('');
  const f = font ? ` font-family="${escapeXml(font)}"` : '';
  return `<svg viewBox="0 0 480 70" width="480" height="70"${f} role="img">${bars}</svg>`;
}
