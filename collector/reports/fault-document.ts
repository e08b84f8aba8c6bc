import type { Db } from '../db/database.js';
import type { Calendar } from '../contracts/sla-calendar.js';
import { DEFAULT_TIMEZONE, zonedParts } from '../../shared/zoned-time.js';
import { buildFaultReport, type FaultReport, type TimelineEntry } from '../tickets/fault-report.js';
import { channelName, domainName } from '../tickets/case-report.js';
import { checkTitle } from '../../checks/titles.js';
import { renderCheckMessage } from '../../checks/messages.js';
import { cell, type Block, type Cell, type ReportDocument, type SignatureParty } from './document.js';
import { faultLabels } from './fault-labels.js';
import { labels } from './labels.js';
import type { ReportLang } from './model.js';
import { getCustomerReportProfile, reportIssuer, type CustomerReportProfile, type ReportIssuer } from './provider-store.js';

/**
 * The fault-handling report (故障处理报告) of one case laid out as blocks, like the inspection report: a cover
 * with the provider and the customer's contract, the facts of the case, the SLA table, the timeline the
 * customer may read (reports of notification routing and other service-desk business stay out), cause and
 * resolution, and signature blocks for the engineer and the customer. Rendered by the same HTML/PDF (and Word)
 * renderers, so the running header and footer are the inspection report's.
 */

export interface FaultDocumentInput {
  report: FaultReport;
  issuer: ReportIssuer;
  profile: CustomerReportProfile;
  lang: ReportLang;
}

function zoneOf(cal: Calendar): string {
  return cal.kind === 'business' ? cal.timezone : DEFAULT_TIMEZONE;
}

function fmtTime(t: number | null, tz: string, withTime = true): string {
  if (t === null) return '-';
  const p = zonedParts(t, tz);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)}${withTime ? ` ${pad(p.hour)}:${pad(p.minute)}` : ''}`;
}

/** What failed, in the report's language: the check's own title, "host unreachable", or the case's title as a person wrote it. */
export function problemName(r: FaultReport, lang: ReportLang): string {
  const t = r.ticket;
  const L = faultLabels(lang);
  if (t.kind === 'host-unreachable') return L.hostUnreachable;
  if (t.kind === 'check') return `${(t.checkId && checkTitle(t.checkId, lang)) || t.checkName || t.title}${t.flapping ? L.flapping : ''}`;
  return t.title;
}

function calendarText(cal: Calendar, lang: ReportLang): string {
  const L = faultLabels(lang);
  if (cal.kind === '7x24') return L.cal724;
  const text = L.calBusiness
    .replace('{days}', cal.days.map((d) => L.weekdays[d]).join(lang === 'zh' ? '、' : ', '))
    .replace('{start}', cal.start)
    .replace('{end}', cal.end);
  // The report's times are in the calendar's zone; say which only when it is not Beijing time.
  return cal.timezone === DEFAULT_TIMEZONE ? text : `${text} (${cal.timezone})`;
}

function actorText(e: TimelineEntry, lang: ReportLang): string {
  const L = faultLabels(lang);
  if (e.actor.role === 'system') return L.system;
  return e.actor.role === 'customer' ? L.customerRole(e.actor.name) : L.engineerRole(e.actor.name);
}

function eventText(e: TimelineEntry, lang: ReportLang): string {
  const ev = faultLabels(lang).events;
  switch (e.kind) {
    case 'opened':
      return e.actor.role === 'system' ? ev.opened : ev.openedByPerson;
    case 'escalated':
      return ev.escalated(e.tier ?? 0);
    case 'severity':
      return ev.severity(e.severity?.from ?? '', e.severity?.to ?? '');
    case 'closed':
      return e.actor.role === 'customer' ? ev.closed : ev.closedByEngineer;
    case 'rated':
      return ev.rated(e.score ?? 0);
    default:
      return ev[e.kind];
  }
}

function eventDetail(e: TimelineEntry, lang: ReportLang): string {
  // A result without a message (an older agent) has only an English sentence: it is left out rather than shown untranslated.
  const said = e.said ? renderCheckMessage(lang, e.said, '') : '';
  return [said, e.note].filter(Boolean).join('\n');
}

type Verdict = keyof ReturnType<typeof faultLabels>['verdicts'];

function verdictCell(v: Verdict, lang: ReportLang): Cell {
  const text = faultLabels(lang).verdicts[v];
  if (v === 'met') return cell(text, { tone: 'ok', nowrap: true });
  if (v === 'missed') return cell(text, { tone: 'crit', bold: true, nowrap: true });
  return cell(text, { tone: 'muted', nowrap: true });
}

const judged = (met: boolean | null, closed: boolean): Verdict => (met === null ? (closed ? 'notApplicable' : 'pending') : met ? 'met' : 'missed');

function slaRows(r: FaultReport, lang: ReportLang): Cell[][] {
  const L = faultLabels(lang);
  const t = r.ticket;
  const tz = zoneOf(r.calendar);
  const closed = t.state === 'closed';
  const minutes = (ms: number | null) => (ms === null ? '-' : `${Math.round(ms / 60_000)} ${L.minutes}`);
  const target = (min: number, due: number) => L.targetText(min, fmtTime(due, tz));
  const stopped = t.slaStopped !== null;

  const response: Cell[] = [cell(L.response), cell(target(r.target.respondMin, t.responseDueAt)), cell(t.sla.responseNotApplicable ? L.responseNotOwed : minutes(r.responseMs))];
  response.push(verdictCell(stopped || t.sla.responseNotApplicable ? 'notApplicable' : judged(t.sla.responseMet, closed), lang));

  // On site is judged only where someone had to go: a case that needed no visit says "not required", never "not on site".
  const onsite: Cell[] = [cell(L.onsite), cell(target(r.target.onsiteMin, t.onsiteDueAt))];
  if (t.onsiteAt !== null) onsite.push(cell(minutes(r.onsiteMs)), verdictCell(stopped ? 'notApplicable' : judged(t.sla.onsiteMet, closed), lang));
  else if (!t.onsiteNeeded) onsite.push(cell(L.onsiteNotRequired), verdictCell('notApplicable', lang));
  else {
    const late = !stopped && r.generatedAt > t.onsiteDueAt;
    onsite.push(cell('-'), verdictCell(stopped ? 'notApplicable' : late ? 'missed' : closed ? 'notApplicable' : 'pending', lang));
  }

  const restore: Cell[] = [cell(L.restore), cell(target(r.target.restoreMin, t.restoreDueAt)), cell(minutes(r.restoreMs)), verdictCell(stopped ? 'notApplicable' : judged(t.sla.restoreMet, closed), lang)];
  return [response, onsite, restore];
}

/** The report as blocks (see document.ts). */
export function faultDocument(input: FaultDocumentInput): ReportDocument {
  const { report: r, issuer, profile, lang } = input;
  const L = faultLabels(lang);
  const IL = labels(lang);
  const t = r.ticket;
  const tz = zoneOf(r.calendar);
  const blocks: Block[] = [];
  const problem = problemName(r, lang);
  const host = t.hostName || L.noHost;
  const contact = [profile.contactName, profile.contactPhone].filter(Boolean).join(' ');
  // Who answered the case; for one answered before responses were recorded by name, the first engineer on its timeline.
  const engineer = r.acknowledgedByName ?? r.timeline.find((e) => e.actor.role === 'engineer')?.actor.name ?? null;

  blocks.push({
    kind: 'cover',
    logo: issuer.logo,
    issuer: issuer.name,
    title: L.title,
    subtitle: `${r.customerName} · ${t.number}`,
    fields: [
      { label: L.provider, value: issuer.name || '-', id: 'cover-provider' },
      { label: L.customer, value: r.customerName, id: 'cover-customer' },
      { label: L.contractNumber, value: profile.contractNumber || '-', id: 'cover-contract' },
      { label: L.number, value: t.number, id: 'cover-number' },
      { label: L.host, value: host, id: 'cover-host' },
      { label: L.problem, value: problem, id: 'cover-problem' },
      { label: L.severity, value: t.severity, id: 'cover-severity' },
      { label: L.engineer, value: engineer ?? '-', id: 'cover-engineer' },
      { label: L.customerContact, value: contact || '-', id: 'cover-contact' },
      { label: L.reportDate, value: fmtTime(r.generatedAt, tz, false), id: 'cover-generated' },
    ],
    footer: [
      issuer.address ? `${IL.addressLine}${L.colon}${issuer.address}` : '',
      issuer.hotline ? `${IL.hotlineLine}${L.colon}${issuer.hotline}` : '',
      issuer.email ? `${IL.emailLine}${L.colon}${issuer.email}` : '',
    ].filter(Boolean),
  });

  // 1. The case: what failed, how it came in, and when each step happened.
  blocks.push({ kind: 'heading', level: 1, text: L.facts, anchor: 'facts' });
  const facts: Array<[string, string]> = [
    [L.number, t.number],
    [L.customer, r.customerName],
    [L.host, host],
    [L.problem, problem],
  ];
  if (t.kind === 'check' && t.summaryMessage) facts.push([L.currentResult, renderCheckMessage(lang, t.summaryMessage, t.summary)]);
  else if (t.kind === 'check' && lang === 'en' && t.summary) facts.push([L.currentResult, t.summary]);
  facts.push([L.channel, channelName(t.channel, lang)]);
  if (t.caller) facts.push([L.caller, [t.caller.name, t.caller.phone, t.caller.email].filter(Boolean).join(' · ')]);
  if (t.description) facts.push([L.description, t.description]);
  if (t.domain) facts.push([L.domain, domainName(t.domain, lang)]);
  facts.push(
    [L.severity, `${t.severity}${t.severityProposed ? L.proposed : ''}`],
    [L.state, L.states[t.state] ?? t.state],
    [L.opened, fmtTime(t.openedAt, tz)],
    [L.acknowledged, t.acknowledgedAt === null ? '-' : `${fmtTime(t.acknowledgedAt, tz)}${engineer ? ` · ${L.engineerRole(engineer)}` : ''}`],
    [L.onsiteAt, t.onsiteAt === null && !t.onsiteNeeded ? L.onsiteNotRequired : fmtTime(t.onsiteAt, tz)],
    [L.restored, fmtTime(t.restoredAt, tz)],
    [L.closed, fmtTime(t.closedAt, tz)],
  );
  if (t.closedAt !== null) facts.push([L.closedBy, t.closedBy === 'system' ? L.byRule : r.closedBy ? (r.closedBy.role === 'customer' ? L.customerRole(r.closedBy.name) : L.engineerRole(r.closedBy.name)) : '-']);
  if (r.rating) facts.push([L.rating, `${L.ratingValue(r.rating.score)}${r.rating.remark ? ` · ${r.rating.remark}` : ''}`]);
  blocks.push({ kind: 'table', id: 'facts', head: [L.item, L.content], widths: [24, 76], rows: facts.map(([k, v]) => [cell(k, { bold: true }), cell(v)]) });

  // 2. Service levels.
  blocks.push({ kind: 'heading', level: 1, text: L.sla, anchor: 'sla' });
  blocks.push({ kind: 'table', id: 'sla', head: [L.item, L.target, L.actual, L.met], widths: [14, 42, 30, 14], rows: slaRows(r, lang) });
  if (t.slaStopped) blocks.push({ kind: 'paragraph', text: L.slaStopped, tone: 'muted' });
  blocks.push({ kind: 'paragraph', text: L.accounting.replace('{cal}', calendarText(r.calendar, lang)), tone: 'muted', small: true });

  // 3. What the customer saw happen.
  blocks.push({ kind: 'heading', level: 1, text: L.timeline, anchor: 'timeline' });
  if (r.timeline.length) {
    blocks.push({
      kind: 'table',
      id: 'timeline',
      head: [L.time, L.who, L.what, L.detail],
      widths: [17, 17, 26, 40],
      rows: r.timeline.map((e) => [cell(fmtTime(e.at, tz), { nowrap: true }), cell(actorText(e, lang)), cell(eventText(e, lang)), cell(eventDetail(e, lang))]),
    });
  } else blocks.push({ kind: 'paragraph', text: L.noEvents, tone: 'muted' });

  // 4. Cause and resolution, as the engineer wrote them.
  blocks.push({ kind: 'heading', level: 1, text: L.handling, anchor: 'handling' });
  blocks.push({
    kind: 'table',
    id: 'handling',
    head: [L.item, L.content],
    widths: [18, 82],
    rows: [
      [cell(L.cause, { bold: true }), cell(t.cause || L.toFill, t.cause ? {} : { tone: 'muted' })],
      [cell(L.actions, { bold: true }), cell(t.actions || L.toFill, t.actions ? {} : { tone: 'muted' })],
      [cell(L.prevention, { bold: true }), cell(t.prevention || L.toFill, t.prevention ? {} : { tone: 'muted' })],
    ],
  });

  // 5. Signatures: the engineer's, and the customer's (filled in when they confirmed the closure online).
  blocks.push({ kind: 'heading', level: 1, text: L.signatures, anchor: 'signatures' });
  const customerClosed = r.closedBy?.role === 'customer' && t.closedAt !== null ? { name: r.closedBy.name, at: t.closedAt } : null;
  const parties: SignatureParty[] = [
    { role: L.engineerSign, name: '', date: '' },
    { role: L.customerSign, name: customerClosed?.name ?? '', date: customerClosed ? fmtTime(customerClosed.at, tz, false) : '', note: customerClosed ? L.confirmedOnline(customerClosed.name) : undefined, stamp: true },
  ];
  blocks.push({ kind: 'signatures', parties, signLabel: `${L.signLine}${L.colon}`, dateLabel: `${L.dateLine}${L.colon}`, stampLabel: `${L.stamp}${L.colon}` });
  blocks.push({ kind: 'paragraph', text: `${L.generated}${L.colon}${fmtTime(r.generatedAt, tz)}`, tone: 'muted', small: true });

  return {
    lang,
    title: `${L.title} ${t.number}`,
    blocks,
    header: { logo: issuer.logo, left: issuer.name || L.title, right: `${r.customerName} · ${L.title} ${t.number}` },
    footer: { confidential: IL.confidential(r.customerName) },
    pageLabel: IL.pageLabel,
  };
}

/** The document of one case as the caller may see it (undefined otherwise), with the provider's identity as it is now. */
export function buildFaultDocument(db: Db, ticketId: string, opts: { customerIds?: readonly string[]; now: number; lang: ReportLang }): ReportDocument | undefined {
  const report = buildFaultReport(db, ticketId, opts);
  if (!report) return undefined;
  return faultDocument({ report, issuer: reportIssuer(db, opts.lang), profile: getCustomerReportProfile(db, report.ticket.customerId), lang: opts.lang });
}
