import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { getCustomer } from '../../db/customers.js';
import { getHost } from '../../db/hosts.js';
import { listCheckStates } from '../../db/check-states.js';
import { getInventory, listInventoryChanges } from '../../inventory/inventory-tracker.js';
import { flattenInventory } from '../../../shared/inventory.js';
import { worstStatus } from '../../../shared/status.js';
import { ACTIVE_STATES, listTickets } from '../../tickets/ticket-store.js';
import type { DashEnv } from '../env.js';
import { TIME_ZONE, formatTime } from '../format.js';
import type { MessageKey } from '../i18n/index.js';
import { page } from '../layout.js';
import { statusClass } from '../status-view.js';
import { listHostMetricFields } from '../metric-catalog.js';
import { ticketRow } from './overview.js';
import { CPU, DISK, MEM, NET } from '../../../checks/system/metrics.js';
import { renderCheckMessage } from '../../../checks/messages.js';
import { checkTitle } from '../../../checks/titles.js';

/**
 * The charts of a host page: the client script reads these data attributes and asks
 * /api/hosts/:id/series for each (the API checks tenancy again).
 */
const CHARTS: Array<{ id: string; title: MessageKey; measurement: string; field: string; groupBy?: string }> = [
  { id: 'cpu', title: 'host.cpu', measurement: CPU.name, field: CPU.field.usage_pct },
  { id: 'mem', title: 'host.mem', measurement: MEM.name, field: MEM.field.used_pct },
  { id: 'disk', title: 'host.disk', measurement: DISK.name, field: DISK.field.used_pct, groupBy: 'mount' },
  { id: 'net-rx', title: 'host.netRx', measurement: NET.name, field: NET.field.rx_bytes_per_sec, groupBy: 'iface' },
  { id: 'net-tx', title: 'host.netTx', measurement: NET.name, field: NET.field.tx_bytes_per_sec, groupBy: 'iface' },
];

const RANGES = ['1h', '24h', '7d', '90d'] as const;

const factText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function hostRoutes(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const app = new Hono<DashEnv>();
  app.get('/hosts/:id', (c) => {
    const t = c.get('t');
    const lang = c.get('lang');
    const ids = c.get('customerIds');
    const host = getHost(deps.db, c.req.param('id'), ids);
    if (!host) {
      c.status(404);
      return page(c, t('common.notFound'), html``);
    }
    const now = deps.now();
    const checks = listCheckStates(deps.db, { hostId: host.id, customerIds: ids });
    const status = checks.length ? worstStatus(checks.map((s) => s.status)) : 'UNKNOWN';
    const inventory = getInventory(deps.db, host.id, ids);
    const changes = listInventoryChanges(deps.db, { hostId: host.id, customerIds: ids }).slice(-50).reverse();
    const tickets = listTickets(deps.db, { customerIds: ids, hostId: host.id, state: [...ACTIVE_STATES, 'recovered', 'resolved'], limit: 50, now });
    const customer = getCustomer(deps.db, host.customerId);
    const metricFields = listHostMetricFields(deps.db, host.id, ids);
    const body = html`
      <p class="host-head"><span class="badge ${statusClass(status)}" id="host-status" data-host-id="${host.id}">${status}</span>
        ${customer?.name ?? host.customerId} · ${host.kind} · ${host.criticality}
        ${host.tags.map((tag) => html`<span class="tag">${tag}</span>`)}
        · ${host.connected ? t('host.connected') : t('host.disconnected')}
        · ${t('common.lastSeen')}: ${host.lastSeenAt ? formatTime(host.lastSeenAt, lang) : t('common.never')}
        ${host.agentVersion ? html`· ${t('common.version')} ${host.agentVersion}` : ''}</p>

      <h2>${t('host.checks')}</h2>
      <table class="checks" id="checks">
        <thead><tr><th>${t('host.check')}</th><th>${t('common.status')}</th><th>${t('host.output')}</th><th>${t('common.since')}</th></tr></thead>
        <tbody>${checks.map(
          (s) => html`<tr data-check="${s.name}"><td>${s.name}<br><small>${checkTitle(s.checkId, lang) ?? s.checkId}</small></td>
            <td><span class="badge ${statusClass(s.status)}">${s.status}</span></td>
            <td class="output">${renderCheckMessage(lang, s.message, s.summary)}${s.details ? html`<details><pre>${s.details}</pre></details>` : ''}</td>
            <td>${formatTime(s.statusSince, lang)}</td></tr>`,
        )}</tbody>
      </table>

      ${tickets.length ? html`<h2>${t('nav.tickets')}</h2><table class="tickets"><tbody>${tickets.map((tk) => ticketRow(tk, now, t, lang))}</tbody></table>` : ''}

      <h2>${t('host.charts')}</h2>
      <div class="ranges" id="ranges">${RANGES.map((r) => html`<button type="button" data-range="${r}"${r === '1h' ? ' class="active"' : ''}>${r}</button>`)}</div>
      <div class="charts" data-host="${host.id}" data-tz="${TIME_ZONE}" data-no-data="${t('host.noData')}">
        ${CHARTS.map(
          (ch) => html`<figure class="chart" id="chart-${ch.id}" data-measurement="${ch.measurement}" data-field="${ch.field}" data-group-by="${ch.groupBy ?? ''}">
            <figcaption>${t(ch.title)}</figcaption><div class="plot"></div></figure>`,
        )}
      </div>
      ${metricFields.length
        ? html`<h2>${t('host.checkMetrics')}</h2>
          <div class="charts" data-host="${host.id}" data-tz="${TIME_ZONE}" data-no-data="${t('host.noData')}" id="check-metrics">
            <figure class="chart" id="chart-check-metric" data-measurement="${metricFields[0]!.measurement}" data-field="${metricFields[0]!.field}"
              data-group-by="${metricFields[0]!.groupBy.join(',')}">
              <figcaption><select id="metric-picker" aria-label="${t('host.checkMetrics')}">${metricFields.map(
                (m) => html`<option value="${m.measurement}|${m.field}|${m.groupBy.join(',')}">${m.measurement}.${m.field} (${m.checkName})</option>`,
              )}</select></figcaption><div class="plot"></div></figure>
          </div>`
        : ''}

      <h2>${t('host.facts')}</h2>
      <table class="facts" id="facts"><tbody>${Object.entries(host.facts).map(([k, v]) => html`<tr><th>${k}</th><td>${factText(v)}</td></tr>`)}</tbody></table>

      ${inventory
        ? html`<h2>${t('host.inventory')} <small>${formatTime(inventory.collectedAt, lang)}</small></h2>
          <table class="facts" id="inventory"><tbody>${Object.entries(flattenInventory(inventory.facts)).map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>`
        : ''}
      ${changes.length
        ? html`<h2>${t('host.changes')}</h2>
          <table id="changes"><thead><tr><th>${t('host.when')}</th><th>${t('host.field')}</th><th>${t('host.old')}</th><th>${t('host.new')}</th></tr></thead>
          <tbody>${changes.map((ch) => html`<tr><td>${formatTime(ch.changedAt, lang)}</td><td>${ch.field}</td><td>${ch.oldValue ?? '-'}</td><td>${ch.newValue ?? '-'}</td></tr>`)}</tbody></table>`
        : ''}`;
    return page(c, host.name, body, { scripts: ['/static/uPlot.iife.min.js'], styles: ['/static/uPlot.min.css'] });
  });
  return app;
}
