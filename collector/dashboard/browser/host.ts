// Host page: the status head and the checks table follow live events; one uPlot chart per figure, drawn from
// the series API (which aggregates into ~300 buckets per range), redrawn on a new result (at most every 10 s)
// or every 30 s without the stream.
import type uPlot from 'uplot';
import { getJson, setStatusClass } from './common.js';
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
  onHost((e) => {
    if (e.hostId !== hostId) return;
    setStatusClass(head, e.status);
    head.textContent = e.status;
    for (const ch of e.checks ?? []) {
      document.querySelectorAll('#checks tr[data-check]').forEach((tr) => {
        if (tr.getAttribute('data-check') !== ch.name) return;
        const badge = tr.querySelector('.badge');
        if (badge) {
          setStatusClass(badge, ch.status);
          badge.textContent = ch.status;
        }
        const out = tr.querySelector('td.output');
        // The result in the page's language (zh-CN or en); older events carry only the English summary.
        const text = ch.text ? (document.documentElement.lang.startsWith('zh') ? ch.text.zh : ch.text.en) : ch.summary;
        if (out?.firstChild && out.firstChild.nodeType === Node.TEXT_NODE) out.firstChild.textContent = text;
      });
    }
  });
}

function charts(box: HTMLElement, UPlot: typeof uPlot): void {
  const hostId = box.getAttribute('data-host') ?? '';
  const noData = box.getAttribute('data-no-data') || 'No data';
  const tz = box.getAttribute('data-tz');
  let range = '1h';
  const plots: Record<string, uPlot> = {};

  const draw = (fig: HTMLElement): Promise<void> => {
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
        const series: uPlot.Series[] = [{}];
        let points = 0;
        body.series.forEach((s, n) => {
          const ys: Array<number | null> = xs.map(() => null);
          for (const p of s.points) {
            ys[index.get(p.time) ?? 0] = p.value;
            points++;
          }
          data.push(ys);
          const label = Object.values(s.tags).join(' ') || fig.getAttribute('data-field') || '';
          series.push({ label, stroke: COLOURS[n % COLOURS.length], width: 1.5, spanGaps: false });
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
        const width = Math.max(300, plotBox.clientWidth || 600);
        // The x axis always spans the chosen window, so one point (a host that just joined) is not stretched over years.
        const xRange: uPlot.Range.MinMax = [body.from / 1000, body.to / 1000];
        plots[fig.id] = new UPlot(
          {
            width,
            height: 180,
            series,
            scales: { x: { time: true, range: () => xRange } },
            legend: { show: true },
            tzDate: tz ? (ts: number) => UPlot.tzDate(new Date(ts * 1e3), tz) : undefined,
          },
          data as uPlot.AlignedData,
          plotBox,
        );
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
      fig.setAttribute('data-measurement', measurement);
      fig.setAttribute('data-field', field);
      fig.setAttribute('data-group-by', groupBy);
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
