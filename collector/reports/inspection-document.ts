import { DEFAULT_TIMEZONE, zonedParts } from '../../shared/zoned-time.js';
import { cell, REPORT_FONT, type Block, type Cell, type ReportDocument, type SignatureParty, type Tone } from './document.js';
import { periodBounds } from './holiday-calendar.js';
import { labels } from './labels.js';
import type { Finding, HostSection, InspectionReport, ReportLang, RiskLevel, Stats } from './model.js';
import { serviceFigureText } from './host-figures.js';
import { lineChart, riskBars, CHART_HEIGHT, CHART_WIDTH } from './svg.js';

/**
 * The inspection report (巡检报告) laid out as blocks, in the report's language: cover, contents, executive
 * summary, each host's checklist and figures, tickets, findings, appendix, signatures. Every renderer (HTML,
 * PDF, Word) draws these blocks and nothing else, so the versions agree.
 */

export function fmtTime(t: number | null, withTime = true): string {
  if (t === null) return '-';
  const p = zonedParts(t, DEFAULT_TIMEZONE);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)}${withTime ? ` ${pad(p.hour)}:${pad(p.minute)}` : ''}`;
}

const num = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '-' : v.toFixed(digits));
const pctText = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '-' : `${v.toFixed(digits)}%`);
export function bytes(v: number | null): string {
  if (v === null) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let x = v;
  let i = 0;
  while (Math.abs(x) >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x.toFixed(i ? 1 : 0)} ${units[i]}`;
}
const share = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);

export function periodName(period: string, lang: ReportLang): string {
  const [y, q] = [period.slice(0, 4), Number(period.slice(5))];
  return lang === 'zh' ? `${y}年第${['一', '二', '三', '四'][q - 1]}季度` : `Q${q} ${y}`;
}

/** "2026年国庆前巡检" / "National Day 2026 inspection"; the quarter for a quarter report or one stored before inspections had keys. */
export function inspectionName(r: { period: string; inspectionKey: string | null; holiday: string | null }, lang: ReportLang): string {
  if (!r.inspectionKey) return periodName(r.period, lang);
  const L = labels(lang);
  const custom = /^custom-(\d{4})-\d{2}-\d{2}$/.exec(r.inspectionKey);
  if (custom) return L.inspectionName(r.holiday && r.holiday !== 'custom' ? r.holiday : r.inspectionKey.slice(7), custom[1]!, false);
  const holiday = r.inspectionKey.replace(/-\d{4}$/, '');
  return L.inspectionName(L.holidays[holiday] ?? holiday, r.inspectionKey.slice(-4), true);
}

const STATUS_TONE: Record<string, Tone> = { OK: 'ok', WARNING: 'warn', CRITICAL: 'crit', UNKNOWN: 'unknown' };
const CONCLUSION_TONE: Record<string, Tone> = { normal: 'ok', attention: 'warn', abnormal: 'crit', 'not-checked': 'unknown' };
const RISK_TONE: Record<RiskLevel, Tone> = { high: 'high', medium: 'medium', low: 'low' };

/** Good / fair / poor, by the same bands the score is coloured with. */
function verdictOf(score: number): { key: 'good' | 'fair' | 'poor'; tone: Tone } {
  return score >= 90 ? { key: 'good', tone: 'ok' } : score >= 70 ? { key: 'fair', tone: 'warn' } : { key: 'poor', tone: 'crit' };
}

const hostAnchor = (i: number) => `host-${i + 1}`;

/** Days until a disk is full; past a year the linear trend says nothing useful, so it is said as such. */
function fullIn(days: number | null, lang: ReportLang): string {
  const L = labels(lang);
  if (days === null) return L.notFilling;
  return days > 365 ? L.overAYear : `${Math.round(days)} ${L.days}`;
}

function hostBlocks(h: HostSection, i: number, r: InspectionReport): Block[] {
  const L = labels(r.lang);
  const out: Block[] = [];
  // Each host on a page of its own; the first one follows the section heading on its page.
  out.push({ kind: 'heading', level: 2, text: `2.${i + 1} ${h.reachableAtInspection ? h.name : L.notReachableTitle(h.name)}`, anchor: hostAnchor(i), newPage: i > 0 });
  out.push({
    kind: 'paragraph',
    tone: 'muted',
    text: [
      `${L.kind}${L.colon}${L.kinds[h.kind] ?? h.kind}`,
      `${L.criticality}${L.colon}${L.criticalities[h.criticality] ?? h.criticality}`,
      `${L.availability}${L.colon}${pctText(h.availabilityPct, 3)}`,
      `${L.unreachableMinutes}${L.colon}${Math.round(h.downMinutes)} ${L.minutes}`,
      `${L.reboots}${L.colon}${h.reboots}`,
    ].join(' · '),
  });

  out.push({ kind: 'heading', level: 3, text: L.checklist });
  if (h.checklist.length) {
    out.push({
      kind: 'table',
      id: `checklist-${i + 1}`,
      head: [L.checkItem, L.checkStandard, L.checkResult, L.conclusion],
      widths: [22, 30, 36, 12],
      rows: h.checklist.map((row) => [
        cell(`${L.categories[row.category]} · ${row.item}`),
        cell(row.standard),
        cell(row.result),
        cell(L.conclusions[row.conclusion] ?? row.conclusion, { tone: CONCLUSION_TONE[row.conclusion], nowrap: true, bold: row.conclusion !== 'normal' }),
      ]),
    });
  } else out.push({ kind: 'paragraph', text: L.noChecks, tone: 'muted' });

  // A network device reports through its own check (below): the agent's resource and disk figures do not apply.
  const device = h.kind === 'snmp' && h.cpu.count === 0 && h.memory.count === 0 && !h.disks.length;
  if (!device) out.push(...resourceBlocks(h, r));
  const services = (title: string, list: HostSection['databases']) => {
    if (!list.length) return;
    out.push({ kind: 'heading', level: 3, text: title });
    out.push({
      kind: 'table',
      head: [L.check, L.status, L.result, L.figures],
      widths: [18, 9, 41, 32],
      rows: list.map((sv) => [
        cell(sv.name),
        cell(L.statusNames[sv.status] ?? sv.status, { tone: STATUS_TONE[sv.status], nowrap: true }),
        cell(sv.summary),
        cell(
          Object.entries(sv.figures)
            .filter((e): e is [string, number] => e[1] !== null)
            .map(([k, v]) => serviceFigureText(sv.checkId, k, v, r.lang))
            .join('\n'),
        ),
      ]),
    });
  };
  services(L.databases, h.databases);
  services(L.devices, h.networkDevices);
  if (h.certificates.length) {
    out.push({ kind: 'heading', level: 3, text: L.certificates });
    out.push({ kind: 'table', head: [L.check, L.daysLeft], widths: [75, 25], rows: h.certificates.map((ce) => [cell(ce.url), cell(num(ce.daysLeft), { numeric: true })]) });
  }
  if (h.backups.length) {
    out.push({ kind: 'heading', level: 3, text: L.backups });
    out.push({
      kind: 'table',
      head: [L.check, L.status, L.ageHours, L.result],
      widths: [22, 9, 14, 55],
      rows: h.backups.map((b) => [cell(b.path), cell(L.statusNames[b.status] ?? b.status, { tone: STATUS_TONE[b.status], nowrap: true }), cell(num(b.ageHours), { numeric: true }), cell(b.summary)]),
    });
  }
  if (device && !h.inventory && !h.changes.length) return out;
  out.push(...inventoryBlocks(h, r));
  return out;
}

function resourceBlocks(h: HostSection, r: InspectionReport): Block[] {
  const L = labels(r.lang);
  const c = r.cover;
  const out: Block[] = [];
  out.push({ kind: 'heading', level: 3, text: L.resources });
  const statRow = (name: string, s: Stats) => [cell(name), cell(pctText(s.mean), { numeric: true }), cell(pctText(s.p95), { numeric: true }), cell(pctText(s.max), { numeric: true })];
  out.push({ kind: 'table', head: [L.metric, L.avg, L.p95, L.max], widths: [40, 20, 20, 20], rows: [statRow(L.cpu, h.cpu), statRow(L.mem, h.memory), statRow(L.swap, h.swap)] });
  const window = { from: c.periodFrom, to: c.periodTo, emptyText: L.chartEmpty, font: REPORT_FONT };
  out.push({
    kind: 'chart',
    title: `${h.name} ${L.cpu} / ${L.mem}`,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    svg: lineChart(
      [
        { points: h.cpuDaily, color: '#2e86c1', label: L.cpu },
        { points: h.memoryDaily, color: '#8e44ad', label: L.mem },
      ],
      { ...window, yMax: 100, unit: '%', title: `${h.name} ${L.cpu} / ${L.mem}` },
    ),
  });

  out.push({ kind: 'heading', level: 3, text: L.disks });
  if (h.disks.length) {
    out.push({
      kind: 'table',
      head: [L.mount, L.used, L.size, L.growth, L.fullIn],
      widths: [28, 14, 16, 24, 18],
      rows: h.disks.map((d) => [
        cell(d.mount),
        cell(pctText(d.usedPct), { numeric: true }),
        cell(bytes(d.totalBytes), { numeric: true }),
        cell(`${num(d.growthPctPerDay, 3)}% (${bytes(d.growthBytesPerDay)})`, { numeric: true }),
        cell(fullIn(d.daysUntilFull, r.lang), { numeric: true }),
      ]),
    });
    const colors = ['#16a085', '#d35400', '#2c3e50', '#c0392b', '#7d3c98', '#1f618d'];
    out.push({
      kind: 'chart',
      title: `${h.name} ${L.disks}`,
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      svg: lineChart(
        h.disks.map((d, j) => ({ points: d.dailyMeans, color: colors[j % colors.length]!, label: d.mount, trend: true })),
        { ...window, yMax: 100, unit: '%', title: `${h.name} ${L.disks}` },
      ),
    });
  } else out.push({ kind: 'paragraph', text: L.none, tone: 'muted' });

  return out;
}

function inventoryBlocks(h: HostSection, r: InspectionReport): Block[] {
  const L = labels(r.lang);
  const out: Block[] = [];
  out.push({ kind: 'heading', level: 3, text: L.inventory });
  const inv = h.inventory;
  if (inv) {
    out.push({
      kind: 'table',
      head: [L.os, L.kernel, L.cpuModel, L.cores, L.memory, L.packages],
      rows: [[cell(inv.os ?? '-'), cell(inv.kernel ?? '-'), cell(inv.cpuModel ?? '-'), cell(num(inv.cpuCores, 0), { numeric: true }), cell(bytes(inv.memoryBytes), { numeric: true }), cell(String(inv.packages), { numeric: true })]],
    });
  } else out.push({ kind: 'paragraph', text: L.none, tone: 'muted' });
  out.push({ kind: 'heading', level: 3, text: L.changes });
  if (h.changes.length) {
    out.push({ kind: 'table', head: [L.when, L.field, L.oldValue, L.newValue], widths: [20, 20, 30, 30], rows: h.changes.map((ch) => [cell(fmtTime(ch.changedAt), { nowrap: true }), cell(ch.field), cell(ch.oldValue ?? '-'), cell(ch.newValue ?? '-')]) });
  } else out.push({ kind: 'paragraph', text: L.noChanges, tone: 'muted' });
  return out;
}

function findingRows(list: readonly Finding[], lang: ReportLang, withDetail: boolean): Cell[][] {
  const L = labels(lang);
  return list.map((f) => [
    cell(L[f.risk], { tone: RISK_TONE[f.risk], nowrap: true, bold: true }),
    cell(f.hostName || '-'),
    cell(withDetail ? `${f.title}\n${f.detail}` : f.title),
    cell(f.recommendation),
    ...(withDetail ? [cell(f.remark ?? '')] : []),
  ]);
}

/** The report as blocks (see document.ts). `acceptance`: the customer's online acceptance, when there is one. */
export function inspectionDocument(r: InspectionReport, acceptance: { name: string; at: number } | null = null): ReportDocument {
  const L = labels(r.lang);
  const c = r.cover;
  const s = r.summary;
  const name = inspectionName(c, r.lang);
  const blocks: Block[] = [];

  const partial = c.scope === 'quarter' && c.periodTo < periodBounds(c.period).to;
  // The window to the minute: consecutive reports meet at an inspection, which starts mid-morning.
  const window = `${fmtTime(c.periodFrom)} – ${fmtTime(c.periodTo)}${c.firstReport ? ` (${L.firstReport})` : ''}${partial ? ` (${L.quarterPartial})` : ''}`;
  const contact = [c.customerContact.name, c.customerContact.phone].filter(Boolean).join(' ');
  blocks.push({
    kind: 'cover',
    logo: c.issuer.logo,
    issuer: c.issuer.name,
    title: L.title,
    subtitle: `${c.customerName} · ${name}`,
    fields: [
      { label: L.provider, value: c.issuer.name || '-', id: 'cover-provider' },
      { label: L.customer, value: c.customerName, id: 'cover-customer' },
      { label: L.contractNumber, value: c.contractNumber || '-', id: 'cover-contract' },
      { label: L.period, value: window, id: 'cover-window' },
      { label: L.inspectedAt, value: c.inspectionAt !== null ? fmtTime(c.inspectionAt) : (c.inspectionDate ?? '-'), id: 'cover-inspected' },
      { label: L.engineer, value: c.engineer || '-', id: 'cover-engineer' },
      { label: L.customerContact, value: contact || '-', id: 'cover-contact' },
      { label: L.reportDate, value: fmtTime(c.generatedAt, false), id: 'cover-generated' },
      { label: L.version, value: L.versionText(c.version), id: 'cover-version' },
      { label: L.signedOffCover, value: r.signOff ? `${r.signOff.name} ${fmtTime(r.signOff.at)}` : L.draft, id: 'cover-sign-off' },
    ],
    footer: [
      c.issuer.address ? `${L.addressLine}: ${c.issuer.address}` : '',
      c.issuer.hotline ? `${L.hotlineLine}: ${c.issuer.hotline}` : '',
      c.issuer.email ? `${L.emailLine}: ${c.issuer.email}` : '',
    ].filter(Boolean),
  });

  blocks.push({
    kind: 'toc',
    title: L.contents,
    entries: [
      { level: 1, text: L.execSummary, anchor: 'summary' },
      { level: 1, text: L.hostDetail, anchor: 'hosts' },
      ...r.hosts.map((h, i) => ({ level: 2 as const, text: `2.${i + 1} ${h.name}`, anchor: hostAnchor(i) })),
      { level: 1, text: L.ticketsSection, anchor: 'tickets' },
      { level: 1, text: L.findingsSection, anchor: 'findings' },
      { level: 1, text: L.appendix, anchor: 'appendix' },
      { level: 1, text: L.signatures, anchor: 'signatures' },
    ],
  });

  // 1. Executive summary: health, the risks that matter, change since last time, open cases.
  blocks.push({ kind: 'heading', level: 1, text: L.execSummary, anchor: 'summary', newPage: true });
  const verdict = verdictOf(s.healthScore);
  blocks.push({ kind: 'score', label: `${L.overallHealth} · ${L.healthScore}`, score: s.healthScore, tone: verdict.tone, verdict: L.verdicts[verdict.key] ?? verdict.key });
  blocks.push({ kind: 'paragraph', text: L.healthFormula, tone: 'muted', small: true });
  blocks.push({
    kind: 'table',
    id: 'summary-figures',
    head: [L.hosts, L.inspected, L.unreachable, L.ticketsInPeriod, L.openCasesCount],
    rows: [
      [
        cell(String(s.hostsTotal), { numeric: true }),
        cell(String(s.hostsInspected), { numeric: true }),
        cell(s.hostsUnreachable.length ? s.hostsUnreachable.join(', ') : s.inspectionRun ? L.none : L.noInspectionRun),
        cell(String(r.tickets.total), { numeric: true }),
        cell(String(s.openCases.length), { numeric: true }),
      ],
    ],
  });
  blocks.push({ kind: 'heading', level: 3, text: L.findingsByRisk });
  blocks.push({ kind: 'chart', title: L.findingsByRisk, width: 480, height: 70, svg: riskBars(s.findingsByRisk, { high: L.high, medium: L.medium, low: L.low }, REPORT_FONT) });
  blocks.push({ kind: 'heading', level: 3, text: L.topRisks });
  const top = r.findings.filter((f) => f.risk !== 'low').slice(0, 5);
  if (top.length) blocks.push({ kind: 'table', id: 'top-risks', head: [L.risk, L.host, L.finding, L.recommendation], widths: [8, 16, 36, 40], rows: findingRows(top, r.lang, false) });
  else blocks.push({ kind: 'paragraph', text: L.noRisks });

  blocks.push({ kind: 'heading', level: 3, text: L.sinceLastInspection });
  if (s.previous) {
    const prevName = inspectionName({ period: s.previous.period, inspectionKey: s.previous.inspectionKey, holiday: s.previous.holiday }, r.lang);
    blocks.push({ kind: 'paragraph', text: L.scoreChange(prevName, s.previous.healthScore, s.healthScore, s.previous.findings, r.findings.length), id: 'since-last' });
    if (s.changes) {
      const item = (f: { hostName: string; title: string }) => `${f.hostName ? `${f.hostName}: ` : ''}${f.title}`;
      if (s.changes.resolved.length) blocks.push({ kind: 'paragraph', text: `${L.resolvedSince}（${s.changes.resolved.length}）: ${s.changes.resolved.map(item).join('; ')}` });
      if (s.changes.added.length) blocks.push({ kind: 'paragraph', text: `${L.newSince}（${s.changes.added.length}）: ${s.changes.added.map(item).join('; ')}` });
      blocks.push({ kind: 'paragraph', text: L.persisting(s.changes.persisting) });
    }
  } else blocks.push({ kind: 'paragraph', text: L.noPrevious, id: 'since-last' });

  blocks.push({ kind: 'heading', level: 3, text: L.openCases });
  if (s.openCases.length) {
    blocks.push({
      kind: 'table',
      id: 'open-cases',
      head: [L.number, L.host, L.titleCol, L.severity, L.state, L.opened],
      widths: [18, 14, 34, 8, 12, 14],
      rows: s.openCases.map((o) => [cell(o.number, { nowrap: true }), cell(o.hostName), cell(o.title), cell(o.severity, { nowrap: true }), cell(L.ticketStates[o.state] ?? o.state, { nowrap: true }), cell(fmtTime(o.openedAt), { nowrap: true })]),
    });
  } else blocks.push({ kind: 'paragraph', text: L.noOpenCases });

  // 2. Hosts.
  blocks.push({ kind: 'heading', level: 1, text: L.hostDetail, anchor: 'hosts', newPage: true });
  r.hosts.forEach((h, i) => blocks.push(...hostBlocks(h, i, r)));

  // 3. Tickets.
  blocks.push({ kind: 'heading', level: 1, text: L.ticketsSection, anchor: 'tickets', newPage: true });
  const t = r.tickets;
  if (t.items.length) {
    const metText = (m: boolean | null): Cell => (m === null ? cell(L.pending) : m ? cell(L.met, { tone: 'ok' }) : cell(L.missed, { tone: 'crit', bold: true }));
    const joinCell = (text: string, m: Cell): Cell => ({ ...m, text: `${text} · ${m.text}` });
    blocks.push({
      kind: 'table',
      id: 'tickets',
      head: [L.number, L.host, L.titleCol, L.severity, L.opened, L.response, L.restore],
      widths: [16, 11, 21, 7, 13, 16, 16],
      rows: t.items.map((i) => [
        cell(i.number, { nowrap: true }),
        cell(i.hostName),
        cell(i.title),
        cell(i.severity, { nowrap: true }),
        cell(fmtTime(i.openedAt)),
        i.responseNotApplicable ? cell(L.notApplicable) : joinCell(`${num(i.responseMin)} / ${L.target} ${i.responseTargetMin}`, metText(i.responseMet)),
        joinCell(`${num(i.restoreMin)} / ${L.target} ${i.restoreTargetMin}`, metText(i.restoreMet)),
      ]),
    });
    blocks.push({ kind: 'table', head: [L.responseShare, L.restoreShare, L.slaShare], rows: [[cell(share(t.responseMetShare), { numeric: true }), cell(share(t.restoreMetShare), { numeric: true }), cell(share(t.slaMetShare), { numeric: true })]] });
  } else blocks.push({ kind: 'paragraph', text: L.noTickets, tone: 'muted' });

  // 4. Findings.
  blocks.push({ kind: 'heading', level: 1, text: L.findingsSection, anchor: 'findings' });
  if (r.findings.length) {
    blocks.push({ kind: 'table', id: 'findings', head: [L.risk, L.host, L.finding, L.recommendation, L.remark], widths: [7, 13, 34, 30, 16], rows: findingRows(r.findings, r.lang, true) });
  } else blocks.push({ kind: 'paragraph', text: L.noFindings });

  // 5. Appendix: the figures behind the sections, every host side by side, and how they are counted.
  blocks.push({ kind: 'heading', level: 1, text: L.appendix, anchor: 'appendix', newPage: true });
  blocks.push({ kind: 'heading', level: 3, text: L.appendixHosts });
  blocks.push({
    kind: 'table',
    id: 'appendix-hosts',
    head: [L.host, L.cpuAvg, L.cpuP95, L.memP95, L.swapAvg, L.availability, `${L.unreachableMinutes} (${L.minutes})`, L.reboots],
    widths: [20, 10, 10, 10, 11, 13, 15, 11],
    rows: r.hosts.map((h) => [
      cell(h.name),
      cell(pctText(h.cpu.mean), { numeric: true }),
      cell(pctText(h.cpu.p95), { numeric: true }),
      cell(pctText(h.memory.p95), { numeric: true }),
      cell(pctText(h.swap.mean), { numeric: true }),
      cell(pctText(h.availabilityPct, 3), { numeric: true }),
      cell(String(Math.round(h.downMinutes)), { numeric: true }),
      cell(String(h.reboots), { numeric: true }),
    ]),
  });
  const disks = r.hosts.flatMap((h) => h.disks.map((d) => ({ h, d })));
  if (disks.length) {
    blocks.push({ kind: 'heading', level: 3, text: L.appendixDisks });
    blocks.push({
      kind: 'table',
      head: [L.host, L.mount, L.used, L.size, L.growth, L.fullIn],
      widths: [18, 22, 12, 14, 20, 14],
      rows: disks.map(({ h, d }) => [
        cell(h.name),
        cell(d.mount),
        cell(pctText(d.usedPct), { numeric: true }),
        cell(bytes(d.totalBytes), { numeric: true }),
        cell(`${num(d.growthPctPerDay, 3)}%`, { numeric: true }),
        cell(fullIn(d.daysUntilFull, r.lang), { numeric: true }),
      ]),
    });
  }
  const nets = r.hosts.flatMap((h) => h.network.map((n) => ({ h, n })));
  if (nets.length) {
    blocks.push({ kind: 'heading', level: 3, text: L.appendixNetwork });
    blocks.push({ kind: 'table', head: [L.host, L.iface, L.errAvg, L.errMax], widths: [30, 30, 20, 20], rows: nets.map(({ h, n }) => [cell(h.name), cell(n.iface), cell(num(n.errorsPerSecMean, 3), { numeric: true }), cell(num(n.errorsPerSecMax, 3), { numeric: true })]) });
  }
  blocks.push({ kind: 'heading', level: 3, text: L.accountingTitle });
  blocks.push({ kind: 'list', ordered: true, items: L.accountingText(r.figureSources) });

  // 6. Signatures: the engineer's and the customer's.
  blocks.push({ kind: 'heading', level: 1, text: L.signatures, anchor: 'signatures', newPage: true });
  const parties: SignatureParty[] = [
    { role: L.engineerSign, name: r.signOff?.name ?? '', date: r.signOff ? fmtTime(r.signOff.at, false) : '', note: r.signOff?.note || undefined },
    { role: L.customerSign, name: acceptance?.name ?? '', date: acceptance ? fmtTime(acceptance.at, false) : '', note: acceptance ? L.acceptedOnline(acceptance.name) : undefined, stamp: true },
  ];
  blocks.push({ kind: 'signatures', parties, signLabel: `${L.signLine}${L.colon}`, dateLabel: `${L.dateLine}${L.colon}`, stampLabel: `${L.stamp}${L.colon}` });

  return {
    lang: r.lang,
    title: `${L.title} ${c.customerName} ${name}`,
    blocks,
    header: { logo: c.issuer.logo, left: c.issuer.name || L.title, right: `${c.customerName} · ${name} · ${L.title}` },
    footer: { confidential: L.confidential(c.customerName) },
    pageLabel: L.pageLabel,
  };
}
