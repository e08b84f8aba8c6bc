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
import type { DashEnv } from '../../page-kit/env.js';
import { TIME_ZONE, formatTime } from '../../page-kit/format.js';
import type { Lang, MessageKey } from '../../page-kit/i18n/index.js';
import { page } from '../../page-kit/layout.js';
import { statusClass, statusLabel, statusLabelsJson } from '../status-view.js';
import { listHostMetricFields, type MetricField } from '../metric-catalog.js';
import { metricTitle, type MetricTitle } from '../metric-titles.js';
import { slaCountdown } from '../../tickets/sla-countdown.js';
import { CPU, DISK, MEM, NET } from '../../../checks/system/metrics.js';
import type { FieldDeclaration } from '../../../checks/metric-declaration.js';
import { chartWords, ticketMarks } from './host-chart-marks.js';
import { thresholdsByCheck } from '../../assignment/chart-thresholds.js';
import { factLabel, factRows, factValue } from './host-facts-view.js';
import { notFoundPage } from './not-found.js';
import { agentDrops, dropsSection } from './host-drops.js';
import type { MetricsStore } from '../../metrics/store.js';
import { ticketHeadline } from '../../tickets/headline.js';
import { renderCheckMessage } from '../../../checks/messages.js';
import { checkTitle } from '../../../checks/titles.js';

/**
 * The charts of a host page: the client script reads these data attributes and asks
 * /api/hosts/:id/series for each (the API checks tenancy again). Each names its unit, its label in the page
 * language and the check whose warn/crit lines it draws.
 */
const CHARTS: Array<{ id: string; title: MessageKey; measurement: string; field: string; decl: FieldDeclaration; checkId: string; groupBy?: string }> = [
  { id: 'cpu', title: 'host.cpu', measurement: CPU.name, field: CPU.field.usage_pct, decl: CPU.fields.usage_pct, checkId: 'system.cpu' },
  { id: 'mem', title: 'host.mem', measurement: MEM.name, field: MEM.field.used_pct, decl: MEM.fields.used_pct, checkId: 'system.memory' },
  { id: 'disk', title: 'host.disk', measurement: DISK.name, field: DISK.field.used_pct, decl: DISK.fields.used_pct, checkId: 'system.disk', groupBy: 'mount' },
  { id: 'net-rx', title: 'host.netRx', measurement: NET.name, field: NET.field.rx_bytes_per_sec, decl: NET.fields.rx_bytes_per_sec, checkId: 'system.network', groupBy: 'iface' },
  { id: 'net-tx', title: 'host.netTx', measurement: NET.name, field: NET.field.tx_bytes_per_sec, decl: NET.fields.tx_bytes_per_sec, checkId: 'system.network', groupBy: 'iface' },
];

/** The head's words (host kinds and criticality are enums: shown in the page language). */
const HOST_WORDS = {
  kind: { zh: '类型 · 重要性', en: 'Kind · criticality' },
  agent: { zh: '代理程序', en: 'Agent' },
  kinds: { agent: { zh: '代理', en: 'agent' }, ssh: { zh: 'SSH 无代理', en: 'SSH, agentless' }, snmp: { zh: 'SNMP 设备', en: 'SNMP device' } },
  criticality: { low: { zh: '低', en: 'low' }, normal: { zh: '普通', en: 'normal' }, high: { zh: '高', en: 'high' }, critical: { zh: '关键', en: 'critical' } },
} as const;

const RANGES = ['1h', '24h', '7d', '90d'] as const;

type PickerEntry = MetricField & MetricTitle & { checkTitle: string };

/** The picker's figures by their titles in the page language, each check's together, checks in title order. */
function pickerEntries(fields: readonly MetricField[], lang: Lang): PickerEntry[] {
  return fields
    .map((f) => ({ ...f, ...metricTitle(f.measurement, f.field, f.checkName, lang), checkTitle: checkTitle(f.checkName, lang) ?? f.checkName }))
    .sort((a, b) => a.checkTitle.localeCompare(b.checkTitle, lang) || a.title.localeCompare(b.title, lang) || a.field.localeCompare(b.field));
}

function groupByCheck(entries: readonly PickerEntry[]): Array<[string, PickerEntry[]]> {
  const groups = new Map<string, PickerEntry[]>();
  for (const e of entries) groups.set(e.checkTitle, [...(groups.get(e.checkTitle) ?? []), e]);
  return [...groups];
}

export function hostRoutes(deps: { db: Db; now(): number; store?: MetricsStore }): Hono<DashEnv> {
  const app = new Hono<DashEnv>();
  app.get('/hosts/:id', async (c) => {
    const t = c.get('t');
    const lang = c.get('lang');
    const ids = c.get('customerIds');
    const host = getHost(deps.db, c.req.param('id'), ids);
    if (!host) return notFoundPage(c);
    const now = deps.now();
    const checks = listCheckStates(deps.db, { hostId: host.id, customerIds: ids });
    const status = checks.length ? worstStatus(checks.map((s) => s.status)) : 'UNKNOWN';
    const inventory = getInventory(deps.db, host.id, ids);
    const changes = listInventoryChanges(deps.db, { hostId: host.id, customerIds: ids }).slice(-50).reverse();
    const tickets = listTickets(deps.db, { customerIds: ids, hostId: host.id, state: [...ACTIVE_STATES, 'recovered', 'resolved'], limit: 50, now });
    const customer = getCustomer(deps.db, host.customerId);
    const metricFields = pickerEntries(listHostMetricFields(deps.db, host.id, ids), lang);
    const limits = thresholdsByCheck(deps.db, host);
    // Tickets of the last 90 days (the longest chart range), closed ones too: the charts mark when each opened and was solved.
    const marked = listTickets(deps.db, { customerIds: ids, hostId: host.id, limit: 200, now }).filter((tk) => (tk.resolvedAt ?? tk.restoredAt ?? tk.closedAt ?? now) >= now - 90 * 86400_000);
    const marks = ticketMarks(marked, (tk) => ticketHeadline(tk, lang, { thresholds: tk.checkId ? limits.get(tk.checkId) : undefined }));
    const facts = factRows(host.facts, lang);
    // An agentless host has no spool; a store that cannot answer leaves the line out rather than the page.
    const drops = host.kind === 'agent' && deps.store ? await agentDrops(deps.store, host, now).catch(() => undefined) : undefined;
    const item = (label: string, value: unknown, id = '') => html`<div class="kv"${id ? html` id="${id}"` : ''}><dt>${label}</dt><dd>${value}</dd></div>`;
    const body = html`
      <dl class="host-head">
        ${item(t('common.status'), html`<span class="badge ${statusClass(status)}" id="host-status" data-host-id="${host.id}" data-status="${status}" data-status-labels="${statusLabelsJson(t)}">${statusLabel(status, t)}</span>`)}
        ${item(t('common.customer'), customer?.name ?? host.customerId)}
        ${item(HOST_WORDS.kind[lang], `${HOST_WORDS.kinds[host.kind][lang]} · ${HOST_WORDS.criticality[host.criticality][lang]}`)}
        ${host.tags.length ? item(t('common.tag'), html`${host.tags.map((tag) => html`<span class="tag">${tag}</span>`)}`) : ''}
        ${item(HOST_WORDS.agent[lang], html`${host.connected ? t('host.connected') : t('host.disconnected')}${host.agentVersion ? html` <small>${t('common.version')} ${host.agentVersion}</small>` : ''}`)}
        ${item(t('common.lastSeen'), host.lastSeenAt ? formatTime(host.lastSeenAt, lang) : t('common.never'))}
      </dl>
      ${dropsSection(deps.db, host, drops, t, lang, c.get('user').role !== 'customer')}

      <h2>${t('host.checks')}</h2>
      <div class="table-scroll"><table class="checks" id="checks">
        <thead><tr><th>${t('host.check')}</th><th>${t('common.status')}</th><th>${t('host.output')}</th><th>${t('common.since')}</th></tr></thead>
        <tbody>${checks.map((s) => {
          // The check's name once: its title in the page language, and the assignment's own name only where it differs from the type.
          const title = checkTitle(s.checkId, lang) ?? s.checkId;
          const own = s.name !== s.checkId && s.name !== title ? s.name : '';
          return html`<tr data-check="${s.name}"><td class="check-name">${title}${own ? html` <small>${own}</small>` : ''}</td>
            <td><span class="badge ${statusClass(s.status)}" data-status="${s.status}">${statusLabel(s.status, t)}</span></td>
            <td class="output">${renderCheckMessage(lang, s.message, s.summary)}${s.details ? html`<details><summary>${lang === 'zh' ? '详情' : 'Details'}</summary><pre>${s.details}</pre></details>` : ''}</td>
            <td class="when">${formatTime(s.statusSince, lang)}</td></tr>`;
        })}</tbody>
      </table></div>

      ${tickets.length
        ? html`<h2>${t('nav.tickets')}</h2><div class="table-scroll"><table class="tickets" id="host-tickets"><tbody>${tickets.map(
            (tk) => html`<tr data-ticket="${tk.number}" class="sev-${tk.severity}"><td><a href="/tickets/${tk.number}">${tk.number}</a></td><td>${tk.severity}</td>
              <td><span class="badge state-${tk.state}">${t(`state.${tk.state}`)}</span></td>
              <td>${ticketHeadline(tk, lang, { thresholds: tk.checkId ? limits.get(tk.checkId) : undefined })}</td><td class="when">${formatTime(tk.openedAt, lang)}</td>
              <td>${ACTIVE_STATES.includes(tk.state) ? slaCountdown(tk, now, t, lang) : ''}</td></tr>`,
          )}</tbody></table></div>`
        : ''}

      <h2>${t('host.charts')}</h2>
      <div class="ranges" id="ranges">${RANGES.map((r) => html`<button type="button" data-range="${r}"${r === '1h' ? ' class="active"' : ''}>${r}</button>`)}</div>
      <div class="charts" data-host="${host.id}" data-tz="${TIME_ZONE}" data-lang="${lang}" data-no-data="${t('host.noData')}"
        data-words="${JSON.stringify(chartWords(lang))}" data-tickets="${JSON.stringify(marks)}">
        ${CHARTS.map((ch) => {
          const limit = limits.get(ch.checkId);
          return html`<figure class="chart" id="chart-${ch.id}" data-measurement="${ch.measurement}" data-field="${ch.field}" data-group-by="${ch.groupBy ?? ''}"
            data-unit="${ch.decl.unit}" data-label="${ch.decl[lang]}" data-check-id="${ch.checkId}"
            ${ch.decl.unit === 'percent' && limit?.warn !== undefined ? html`data-warn="${limit.warn}"` : ''} ${ch.decl.unit === 'percent' && limit?.crit !== undefined ? html`data-crit="${limit.crit}"` : ''}>
            <figcaption>${t(ch.title)}</figcaption><div class="plot"></div></figure>`;
        })}
      </div>
      ${metricFields.length
        ? html`<h2>${t('host.checkMetrics')}</h2>
          <div class="charts" data-host="${host.id}" data-tz="${TIME_ZONE}" data-lang="${lang}" data-no-data="${t('host.noData')}" data-words="${JSON.stringify(chartWords(lang))}" id="check-metrics">
            <figure class="chart" id="chart-check-metric" data-measurement="${metricFields[0]!.measurement}" data-field="${metricFields[0]!.field}"
              data-group-by="${metricFields[0]!.groupBy.join(',')}" data-unit="${metricFields[0]!.unit ?? ''}" data-label="${metricFields[0]!.title}">
              <figcaption><select id="metric-picker" aria-label="${t('host.checkMetrics')}">${groupByCheck(metricFields).map(
                ([check, entries]) => html`<optgroup label="${check}">${entries.map(
                  (m) => html`<option value="${m.measurement}|${m.field}|${m.groupBy.join(',')}" title="${m.measurement}.${m.field}" data-unit="${m.unit ?? ''}" data-label="${m.title}">${m.title}${m.unitWord ? ` (${m.unitWord})` : ''}</option>`,
                )}</optgroup>`,
              )}</select></figcaption><div class="plot"></div></figure>
          </div>`
        : ''}

      <h2>${t('host.facts')}</h2>
      <table class="facts" id="facts"><tbody>${facts.map((f) => html`<tr data-fact="${f.key}"><th>${f.label}</th><td>${f.value}</td></tr>`)}</tbody></table>

      ${inventory
        ? html`<h2>${t('host.inventory')} <small>${formatTime(inventory.collectedAt, lang)}</small></h2>
          <div class="table-scroll"><table class="facts" id="inventory"><tbody>${factRows(flattenInventory(inventory.facts), lang).map((f) => html`<tr data-fact="${f.key}"><th>${f.label}</th><td>${f.value}</td></tr>`)}</tbody></table></div>`
        : ''}
      ${changes.length
        ? html`<h2>${t('host.changes')}</h2>
          <div class="table-scroll"><table id="changes"><thead><tr><th>${t('host.when')}</th><th>${t('host.field')}</th><th>${t('host.old')}</th><th>${t('host.new')}</th></tr></thead>
          <tbody>${changes.map((ch) => html`<tr><td class="when">${formatTime(ch.changedAt, lang)}</td><td>${factLabel(ch.field, lang)}</td><td>${ch.oldValue === null ? '-' : factValue(ch.field, ch.oldValue, lang)}</td><td>${ch.newValue === null ? '-' : factValue(ch.field, ch.newValue, lang)}</td></tr>`)}</tbody></table></div>`
        : ''}`;
    return page(c, host.name, body, { scripts: ['/static/uPlot.iife.min.js'], styles: ['/static/uPlot.min.css'] });
  });
  return app;
}
