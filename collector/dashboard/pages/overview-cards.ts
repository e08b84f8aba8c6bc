import { html } from 'hono/html';
import type { Host } from '../../db/hosts.js';
import type { Status } from '../../../shared/status.js';
import type { FieldUnit } from '../../../checks/metric-declaration.js';
import type { Translate } from '../../page-kit/i18n/index.js';
import type { Html } from '../../page-kit/layout.js';
import { statusClass, statusLabel } from '../status-view.js';
import { CARD_METRICS, type CardMetricId, type HostFigure } from './overview-figures.js';

export type CardFigures = Partial<Record<CardMetricId, HostFigure>>;

const METRIC_LABEL = { cpu: 'overview.cpu', mem: 'overview.mem', disk: 'overview.disk' } as const;

/** A latest reading as a person reads it: "42%", "7.5%" (a card has room for three such figures). */
export function formatFigure(value: number | null | undefined, unit: FieldUnit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (unit === 'percent') return `${value < 9.95 ? value.toFixed(1) : Math.round(value)}%`;
  return String(Math.round(value * 10) / 10);
}

/** How full a percent figure is: the bar under it turns amber and red as the disk and memory checks' defaults do (90/95). */
const level = (v: number | null | undefined) => (v === null || v === undefined ? 'none' : v >= 95 ? 'crit' : v >= 90 ? 'warn' : 'ok');

/**
 * A sparkline as inline SVG (no script, no chart library): one polyline per run of buckets with values, on a fixed
 * 0-100 % scale so two hosts' lines compare at a glance. Whole-number coordinates in a 95 x 20 box stretched by CSS:
 * 1,000 cards carry 3,000 of them, so every byte counts.
 */
export function sparkline(values: ReadonlyArray<number | null>): Html {
  const w = 95;
  const h = 20;
  const n = values.length;
  if (!n || values.every((v) => v === null)) return html`<svg class="spark empty" viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" aria-hidden="true"><line x1="0" y1="${h}" x2="${w}" y2="${h}"/></svg>`;
  const runs: string[] = [];
  let run: string[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (run.length) runs.push(run.join(' '));
      run = [];
    } else run.push(`${Math.round((i / Math.max(1, n - 1)) * w)},${Math.round(h - (Math.min(100, Math.max(0, v)) / 100) * h)}`);
  });
  if (run.length) runs.push(run.join(' '));
  // A run of one bucket is a dot: a polyline of one point draws nothing.
  return html`<svg class="spark" viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" aria-hidden="true">${runs.map((r) =>
    r.includes(' ') ? html`<polyline points="${r}"/>` : html`<circle cx="${r.split(',')[0]}" cy="${r.split(',')[1]}" r="1.5"/>`,
  )}</svg>`;
}

/** One host card: status colour, name (wraps; the full name on hover), CPU / memory / disk with sparklines, tags. */
export function hostCard(host: Host, status: Status, figures: CardFigures | undefined, t: Translate): Html {
  const statusText = statusLabel(status, t);
  const offline = host.kind === 'agent' && !host.connected;
  return html`<article class="card" data-card="${host.id}" data-tags="${host.tags.join(' ')}"><a class="cell ${statusClass(status)}" href="/hosts/${host.id}" data-host-id="${host.id}" title="${host.name} · ${statusText}">${host.name}</a>
<p class="card-status"><span class="status-text">${statusText}</span>${offline ? html` · <span class="offline">${t('overview.offline')}</span>` : ''}</p><dl class="figures">${CARD_METRICS.map((m) => {
    const f = figures?.[m.id];
    const where = m.id === 'disk' && f?.label ? html` <small>${f.label}</small>` : '';
    return html`<div class="figure lvl-${level(f?.latest)}" data-metric="${m.id}"><dt>${t(METRIC_LABEL[m.id])}${where}</dt><dd><b>${formatFigure(f?.latest, m.unit)}</b>${sparkline(f?.spark ?? [])}</dd></div>`;
  })}</dl>${host.tags.length ? html`<p class="card-tags">${host.tags.map((tag) => html`<span class="tag">${tag}</span>`)}</p>` : ''}</article>`;
}
