// Host page: the status head and the checks table follow live events; one uPlot chart per figure, drawn from
// the series API (which aggregates into ~300 buckets per range), redrawn on a new result (at most every 10 s)
// or every 30 s without the stream.
import type uPlot from 'uplot';
import { dataJson, getJson, setStatusClass } from './common.js';
import type { TicketMark } from './ticket-mark.js';
import { formatAxisTime, formatDateTime, formatValue, type Unit, type UnitLang } from '../../page-kit/units.js';
import { onFallback, onHost } from './live.js';

declare global {
  interface Window {
    /** uPlot's IIFE build, loaded by the host page before this script (/static/uPlot.iife.min.js). */
    uPlot?: typeof uPlot;
  }
}

/** GET /api/hosts/:id/series */
interface SeriesAnswer {
  from: number;
  to: number;
  series: Array<{ tags: Record<string, string>; points: Array<{ time: number; value: number | null }> }>;
}

const RANGE_SEC: Record<string, number> = { '1h': 3600, '24h': 86400, '7d': 7 * 86400, '90d': 90 * 86400 };
const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

function statusHead(head: HTMLElement): void {
  const hostId = head.getAttribute('data-host-id');
  // The status words of the page's language (the server's data-status-labels); the enum only if they are missing.
  const words = dataJson<Record<string, string>>(head, 'data-status-labels', {});
  const label = (status: string) => words[status] ?? status;
  onHost((e) => {
    if (e.hostId !== hostId) return;
    setStatusClass(head, e.status);
    head.setAttribute('data-status', e.status);
    head.textContent = label(e.status);
    for (const ch of e.checks ?? []) {
      document.querySelectorAll('#checks tr[data-check]').forEach((tr) => {
        if (tr.getAttribute('data-check') !== ch.name) return;
        const badge = tr.querySelector('.badge');
        if (badge) {
          setStatusClass(badge, ch.status);
          badge.setAttribute('data-status', ch.status);
          badge.textContent = label(ch.status);
        }
        const out = tr.querySelector('td.output');
        // The result in the page's language (zh-CN or en); older events carry only the English summary.
        const text = ch.text ? (document.documentElement.lang.startsWith('zh') ? ch.text.zh : ch.text.en) : ch.summary;
        if (out?.firstChild && out.firstChild.nodeType === Node.TEXT_NODE) out.firstChild.textContent = text;
      });
    }
  });
}


const SVG_NS = 'http://www.w3.org/2000/svg';
const KNOWN_UNITS: readonly Unit[] = ['percent', 'bytes', 'bytes_per_sec', 'seconds', 'days', 'count', 'per_sec', 'per_min', 'boolean', 'load', 'epoch_sec', 'text'];

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent: Element): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  parent.appendChild(el);
  return el;
}

function readJson<T>(text: string | null, fallback: T): T {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

/**
 * The lines drawn over a chart as SVG (so they stay sharp and a test can find them): the warn/crit thresholds
 * of the check that judges the figure, and when the host's tickets opened (red/orange) and were solved (green).
 */
function drawMarks(u: uPlot, fig: HTMLElement, marks: readonly TicketMark[], words: Record<string, string>, fmt: (v: number) => string): void {
  u.over.querySelector('svg.marks')?.remove();
  const w = u.over.clientWidth;
  const h = u.over.clientHeight;
  const layer = svg('svg', { class: 'marks', width: w, height: h, viewBox: `0 0 ${w} ${h}` }, u.over);
  for (const level of ['warn', 'crit'] as const) {
    const raw = fig.getAttribute(`data-${level}`);
    if (raw === null || raw === '') continue;
    const value = Number(raw);
    const y = Math.round(u.valToPos(value, 'y')) + 0.5;
    if (!Number.isFinite(y) || y < 0 || y > h) continue;
    const line = svg('line', { class: `threshold ${level}`, 'data-level': level, 'data-value': value, x1: 0, x2: w, y1: y, y2: y }, layer);
    svg('title', {}, line).textContent = `${words[level] ?? level} ${fmt(value)}`;
    // crit's label above its line, warn's below, so two close thresholds (90/95) never print over each other.
    const label = svg('text', { class: `threshold-label ${level}`, x: w - 4, y: level === 'crit' ? y - 3 : y + 11, 'text-anchor': 'end' }, layer);
    label.textContent = `${words[level] ?? level} ${fmt(value)}`;
  }
  const checkId = fig.getAttribute('data-check-id');
  const [xMin = 0, xMax = 0] = [u.scales.x?.min, u.scales.x?.max];
  const at = (ms: number) => (ms / 1000 >= xMin && ms / 1000 <= xMax ? Math.round(u.valToPos(ms / 1000, 'x')) + 0.5 : undefined);
  for (const m of marks) {
    if (m.checkId !== null && m.checkId !== checkId) continue;
    const spots: Array<[number | undefined, 'opened' | 'restored']> = [
      [at(m.openedAt), 'opened'],
      [m.restoredAt === null ? undefined : at(m.restoredAt), 'restored'],
    ];
    for (const [x, kind] of spots) {
      if (x === undefined) continue;
      const link = svg('a', { href: `/tickets/${encodeURIComponent(m.number)}`, class: `ticket-mark ${kind} st-${m.status}`, 'data-ticket': m.number, 'data-kind': kind }, layer);
      svg('title', {}, link).textContent = `${words[kind] ?? kind} ${m.number}: ${m.title}`;
      svg('line', { x1: x, x2: x, y1: 0, y2: h }, link);
      svg('path', { d: `M${x - 5},0 L${x + 5},0 L${x},8 Z` }, link);
    }
  }
}

/** Y labels never clipped: the axis is as wide as its longest label in the axis font. */
function axisSize(self: uPlot, values: string[] | null, axisIdx: number, cycleNum: number): number {
  const axis = self.axes[axisIdx] as uPlot.Axis & { _size?: number; ticks?: { size?: number }; gap?: number; font?: [string, number] };
  if (cycleNum > 1 && axis._size) return axis._size;
  let size = (axis.ticks?.size ?? 10) + (axis.gap ?? 5) + 6;
  const longest = (values ?? []).reduce((acc, v) => (v.length > acc.length ? v : acc), '');
  if (longest) {
    self.ctx.font = axis.font?.[0] ?? '12px system-ui, sans-serif';
    size += self.ctx.measureText(longest).width / (window.devicePixelRatio || 1);
  }
  return Math.ceil(size);
}

function charts(box: HTMLElement, UPlot: typeof uPlot): void {
  const hostId = box.getAttribute('data-host') ?? '';
  const tz = box.getAttribute('data-tz') || 'Asia/Shanghai';
  let range = '1h';
  const plots: Record<string, uPlot> = {};

  const draw = (fig: HTMLElement): Promise<void> => {
    // Each box of charts carries its own words and marks (the check-metric picker's box has no ticket marks).
    const owner = fig.closest<HTMLElement>('.charts') ?? box;
    const lang: UnitLang = owner.getAttribute('data-lang') === 'zh' ? 'zh' : 'en';
    const noData = owner.getAttribute('data-no-data') || 'No data';
    const words = readJson<Record<string, string>>(owner.getAttribute('data-words'), {});
    const marks = readJson<TicketMark[]>(owner.getAttribute('data-tickets'), []);
    const unitAttr = fig.getAttribute('data-unit') as Unit | null;
    const unit: Unit | undefined = unitAttr && KNOWN_UNITS.includes(unitAttr) ? unitAttr : undefined;
    const fmt = (v: number) => (unit ? formatValue(unit, v, lang, tz) : String(Number(v.toPrecision(4))));
    let url = `/api/hosts/${encodeURIComponent(hostId)}/series?measurement=${encodeURIComponent(fig.getAttribute('data-measurement') ?? '')}&field=${encodeURIComponent(fig.getAttribute('data-field') ?? '')}&from=-${range}`;
    const groupBy = fig.getAttribute('data-group-by');
    if (groupBy) url += `&groupBy=${encodeURIComponent(groupBy)}`;
    return getJson<SeriesAnswer>(url)
      .then((body) => {
        const times = new Set<number>();
        for (const s of body.series) for (const p of s.points) times.add(p.time);
        const xs = [...times].sort((a, b) => a - b);
        const index = new Map(xs.map((t, i) => [t, i]));
        const data: Array<Array<number | null>> = [xs.map((t) => t / 1000)];
        // The time series is never a legend entry ("Time: --"); the readout under the chart shows the time.
        const series: uPlot.Series[] = [{ label: words.time ?? 'Time' }];
        let points = 0;
        // A figure's own name (e.g. "内存使用率") when it has no tags to tell series apart; tags otherwise ("/", "eth0").
        const fieldLabel = fig.getAttribute('data-label') || fig.getAttribute('data-field') || '';
        body.series.forEach((s, n) => {
          const ys: Array<number | null> = xs.map(() => null);
          for (const p of s.points) {
            ys[index.get(p.time) ?? 0] = p.value;
            points++;
          }
          data.push(ys);
          const label = Object.values(s.tags).join(' ') || fieldLabel;
          series.push({ label, stroke: COLOURS[n % COLOURS.length], width: 1.5, spanGaps: false, value: (_u, v) => (v === null || v === undefined ? '' : fmt(v)) });
        });
        const plotBox = fig.querySelector<HTMLElement>('.plot');
        if (!plotBox) return;
        plots[fig.id]?.destroy();
        delete plots[fig.id];
        plotBox.textContent = '';
        fig.setAttribute('data-points', String(points));
        if (points === 0) {
          const p = document.createElement('p');
          p.className = 'no-data';
          p.textContent = noData;
          plotBox.appendChild(p);
          return;
        }
        const width = Math.max(240, plotBox.clientWidth || 600);
        // The x axis always spans the chosen window, so one point (a host that just joined) is not stretched over years.
        const xRange: uPlot.Range.MinMax = [body.from / 1000, body.to / 1000];
        const spanMs = body.to - body.from;
        const readout = document.createElement('div');
        readout.className = 'readout';
        const axisFont = '12px system-ui, sans-serif';
        plots[fig.id] = new UPlot(
          {
            width,
            height: 180,
            series,
            scales: {
              x: { time: true, range: () => xRange },
              // Percentages on 0-100, so the threshold lines are always in sight.
              y: unit === 'percent' ? { range: [0, 100] } : { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
            },
            axes: [
              { space: 70, font: axisFont, values: (_u, splits) => splits.map((v) => formatAxisTime(v * 1000, spanMs, lang, tz)) },
              // A yes/no figure has two ticks only: 0.5 would read as a second "yes".
              { font: axisFont, size: axisSize, values: (_u, splits) => splits.map((v) => fmt(v)), ...(unit === 'boolean' ? { splits: () => [0, 1] } : {}) },
            ],
            legend: { show: true, live: false },
            hooks: {
              draw: [(u) => drawMarks(u, fig, marks, words, fmt)],
              setCursor: [
                (u) => {
                  const i = u.cursor.idx;
                  if (i === null || i === undefined) {
                    readout.textContent = '';
                    return;
                  }
                  const parts = [formatDateTime((data[0]![i] ?? 0) * 1000, lang, tz)];
                  for (let k = 1; k < data.length; k++) {
                    const v = data[k]![i];
                    if (v !== null && v !== undefined) parts.push(`${series[k]!.label ?? ''} ${fmt(v)}`);
                  }
                  readout.textContent = parts.join(' · ');
                },
              ],
            },
          },
          data as uPlot.AlignedData,
          plotBox,
        );
        plotBox.appendChild(readout);
      })
      .catch((err: unknown) => {
        fig.setAttribute('data-error', String(err instanceof Error ? err.message : err));
      });
  };

  const boxes = document.querySelectorAll('.charts[data-host]');
  const drawAll = () =>
    Promise.all([...document.querySelectorAll<HTMLElement>('.charts[data-host] figure.chart')].map(draw)).then(() => {
      boxes.forEach((b) => b.setAttribute('data-drawn', range));
    });

  // Check metrics: the picker names measurement|field|groupBy; the figure takes them and draws again.
  const picker = document.getElementById('metric-picker');
  const fig = document.getElementById('chart-check-metric');
  if (picker instanceof HTMLSelectElement && fig) {
    picker.addEventListener('change', () => {
      const [measurement = '', field = '', groupBy = ''] = picker.value.split('|');
      const chosen = picker.selectedOptions[0];
      fig.setAttribute('data-measurement', measurement);
      fig.setAttribute('data-field', field);
      fig.setAttribute('data-group-by', groupBy);
      // The figure's unit and name in the page language (the server's, on the option), so the axis reads "23.5 GiB".
      fig.setAttribute('data-unit', chosen?.getAttribute('data-unit') ?? '');
      fig.setAttribute('data-label', chosen?.getAttribute('data-label') ?? '');
      fig.removeAttribute('data-drawn-for');
      void draw(fig).then(() => fig.setAttribute('data-drawn-for', picker.value));
    });
  }

  document.querySelectorAll<HTMLButtonElement>('#ranges button[data-range]').forEach((btn) => {
    btn.addEventListener('click', () => {
      range = btn.getAttribute('data-range') ?? '1h';
      if (!RANGE_SEC[range]) range = '1h';
      document.querySelectorAll('#ranges button').forEach((b) => b.classList.toggle('active', b === btn));
      void drawAll();
    });
  });
  void drawAll();
  let lastDraw = Date.now();
  onHost((e) => {
    if (e.hostId !== hostId || !e.checks || Date.now() - lastDraw < 10000) return;
    lastDraw = Date.now();
    void drawAll();
  });
  onFallback(() => setInterval(drawAll, 30000));
}

export function startHostPage(): void {
  const head = document.getElementById('host-status');
  if (head) statusHead(head);
  const box = document.querySelector<HTMLElement>('.charts[data-host]');
  if (box && window.uPlot) charts(box, window.uPlot);
}
