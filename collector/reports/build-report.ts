import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { listHosts, type Host } from '../db/hosts.js';
import { listCheckStates } from '../db/check-states.js';
import type { MetricsStore } from '../metrics/store.js';
import { getInventory, listInventoryChanges } from '../inventory/inventory-tracker.js';
import { listTickets, type Ticket } from '../tickets/ticket-store.js';
import { getContract } from '../contracts/contract-store.js';
import { calendarElapsedMs } from '../contracts/sla-calendar.js';
import { evaluateFindings } from './findings.js';
import { customerMetricFigures, FigureSourceLog } from './host-figures.js';
import type { InspectionRecord } from './inspection.js';
import { getCustomerReportProfile, reportIssuer } from './provider-store.js';
import { resolveAssignment } from '../assignment/db-source.js';
import { thresholdsOnly } from '../assignment/param-visibility.js';
import { checkTitle } from '../../checks/titles.js';
import { CATEGORY_ORDER, categoryOf, checkStandard } from './check-standards.js';
import { healthScore, InspectionReportSchema, type ChecklistRow, type Conclusion, type HostSection, type InspectionReport, type ReportLang, type TicketLine } from './model.js';
import { renderCheckMessage } from '../../checks/messages.js';

/** What a report covers and which inspection it is for (report-window.ts works it out). */
export interface ReportScope {
  from: number;
  to: number;
  /** Quarter of the inspection date, e.g. "2026Q3". */
  period: string;
  inspectionKey?: string | null;
  holiday?: string | null;
  inspectionDate?: string | null;
  firstReport?: boolean;
  /** 'quarter': the window is exactly the quarter `period` (up to now while it runs). Default 'inspection'. */
  kind?: 'inspection' | 'quarter';
  /** Version of the report in its series (generate.ts numbers them). */
  version?: number;
}

export interface BuildReportOptions {
  db: Db;
  store: MetricsStore;
  customerId: string;
  scope: ReportScope;
  lang: ReportLang;
  now: number;
  engineer?: string;
  inspection?: InspectionRecord;
  previous?: { reportId: string; period: string; healthScore: number; findings: number; inspectionKey: string | null; holiday: string | null } | null;
  /** The previous report's findings, to say what was resolved and what is new. */
  previousFindings?: ReadonlyArray<{ id: string; hostName: string; title: string }>;
  /** Metrics-store queries in flight (each covers all the customer's hosts); default 3. */
  queryConcurrency?: number;
}

const MIN = 60_000;

/**
 * The stretches of [from, to) a host spent inside host-unreachable tickets, overlapping tickets merged: the
 * one source of both "unreachable minutes" and availability, so the two can never disagree.
 */
export function unreachableIntervals(tickets: readonly Ticket[], hostId: string, from: number, to: number): Array<[number, number]> {
  const spans = tickets
    .filter((t) => t.kind === 'host-unreachable' && t.hostId === hostId)
    .map((t): [number, number] => [Math.max(from, t.openedAt), Math.min(to, t.restoredAt ?? t.closedAt ?? to)])
    .filter(([a, b]) => b > a)
    .sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of spans) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

const CONCLUSION: Record<string, Conclusion> = { OK: 'normal', WARNING: 'attention', CRITICAL: 'abnormal', UNKNOWN: 'attention' };

/**
 * Build the report of one customer's window from the metrics store, the relational store and the
 * inspection. Every figure (tickets, availability, trends, inventory changes) covers [from, to).
 */
export async function buildInspectionReport(o: BuildReportOptions): Promise<InspectionReport> {
  const { db, customerId } = o;
  const { from, to } = o.scope;
  const customer = getCustomer(db, customerId);
  if (!customer) throw new Error(`no customer '${customerId}'`);
  const contract = getContract(db, customerId);
  const profile = getCustomerReportProfile(db, customerId);
  // A host decommissioned during the window was still looked after in it.
  const hosts = listHosts(db, [customerId], { includeRetiredSince: from });
  const allTickets = listTickets(db, { customerIds: [customerId], customerId, now: o.now, limit: 1_000_000 });
  const inspected = new Map((o.inspection?.hosts ?? []).map((h) => [h.hostId, h]));

  // Each result in the report's language (its message rendered; the English summary where it has none).
  const statesOf = new Map(
    hosts.map((h) => [h.id, listCheckStates(db, { hostId: h.id, customerIds: [customerId] }).map((s) => ({ ...s, summary: renderCheckMessage(o.lang, s.message, s.summary) }))]),
  );
  const sources = new FigureSourceLog();
  const figuresOf = await customerMetricFigures(
    o.store,
    { customerId, from, to },
    hosts.map((h) => ({ hostId: h.id, checks: statesOf.get(h.id)! })),
    o.queryConcurrency,
    sources,
  );

  const hostSection = (h: Host): HostSection => {
    const states = statesOf.get(h.id)!;
    const answer = inspected.get(h.id);
    const figures = figuresOf.get(h.id)!;
    const inv = getInventory(db, h.id, [customerId]);
    const spans = unreachableIntervals(allTickets, h.id, from, to);
    const down = spans.reduce((m, [a, b]) => m + (b - a), 0) / MIN;
    const reachable = o.inspection ? answer?.answered === true || answer?.reason === 'agentless' : true;
    const unreachableAtEnd = allTickets.some((t) => t.kind === 'host-unreachable' && t.hostId === h.id && t.openedAt < to && (t.restoredAt ?? t.closedAt ?? Infinity) >= to);
    // Thresholds the host's checks run with (numbers and true/false only: nothing secret reaches a report).
    const params = new Map(resolveAssignment(db, h).checks.map((c) => [c.name, thresholdsOnly(c.params)]));
    const checklist: ChecklistRow[] = states
      .filter((st) => st.checkId !== 'system.inventory')
      .map((st) => {
        const category = categoryOf(st.checkId);
        // A host that did not answer the inspection has no fresh result: its last one is shown, not judged.
        const stale = !reachable && !(o.inspection && st.lastRunAt >= o.inspection.startedAt);
        return {
          category,
          checkId: st.checkId,
          item: shownCheckName(st, o.lang),
          standard: checkStandard(st.checkId, params.get(st.name) ?? {}, o.lang),
          result: st.summary,
          conclusion: stale ? 'not-checked' : (CONCLUSION[st.status] ?? 'attention'),
        };
      })
      .sort((a, b) => CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category) || a.item.localeCompare(b.item));
    const spanMin = (to - Math.max(from, h.createdAt)) / MIN;
    return {
      hostId: h.id,
      name: h.name,
      kind: h.kind,
      criticality: h.criticality,
      // Without an inspection run (a report made by hand mid-quarter) every host counts as reachable; agentless
      // hosts cannot be asked for a run and show their last scheduled results.
      reachableAtInspection: reachable,
      inventory: inv
        ? {
            os: inv.facts.os,
            kernel: inv.facts.kernel,
            arch: inv.facts.arch,
            cpuModel: inv.facts.cpuModel,
            cpuCores: inv.facts.cpuCores,
            memoryBytes: inv.facts.memoryBytes,
            packages: Object.keys(inv.facts.packages).length,
            collectedAt: inv.collectedAt,
          }
        : null,
      changes: listInventoryChanges(db, { hostId: h.id, customerIds: [customerId], from, to }).map((c) => ({
        field: c.field,
        oldValue: c.oldValue,
        newValue: c.newValue,
        changedAt: c.changedAt,
      })),
      checks: states.map((s) => ({
        name: s.name,
        checkId: s.checkId,
        status: s.status,
        summary: s.summary,
        statusSince: s.statusSince,
        lastRunAt: s.lastRunAt,
        fresh: o.inspection ? s.lastRunAt >= o.inspection.startedAt : false,
      })),
      ...figures,
      downMinutes: down,
      unreachableAtEnd,
      checklist,
      availabilityPct: spanMin > 0 ? 100 * (1 - down / spanMin) : null,
    };
  };
  const hostSections = hosts.map(hostSection);

  const periodTickets = allTickets.filter((t) => t.openedAt >= from && t.openedAt < to).sort((a, b) => a.openedAt - b.openedAt);
  const items: TicketLine[] = periodTickets.map((t) => {
    const target = contract.targets[t.severity];
    return {
      number: t.number,
      hostName: t.hostName,
      title: t.title,
      severity: t.severity,
      state: t.state,
      openedAt: t.openedAt,
      responseMin: t.acknowledgedAt === null ? null : calendarElapsedMs(contract.calendar, t.openedAt, t.acknowledgedAt) / MIN,
      restoreMin: t.restoredAt === null ? null : calendarElapsedMs(contract.calendar, t.openedAt, t.restoredAt) / MIN,
      responseTargetMin: target.respondMin,
      restoreTargetMin: target.restoreMin,
      responseMet: t.sla.responseMet,
      responseNotApplicable: t.sla.responseNotApplicable === true,
      restoreMet: t.sla.restoreMet,
    };
  });
  const share = (vals: Array<boolean | null>) => {
    const decided = vals.filter((v): v is boolean => v !== null);
    return decided.length ? decided.filter(Boolean).length / decided.length : null;
  };
  const decidedTickets = items.filter((t) => t.responseMet !== null || t.restoreMet !== null);
  const missed = decidedTickets.filter((t) => t.responseMet === false || t.restoreMet === false);
  const slaMetShare = decidedTickets.length ? 1 - missed.length / decidedTickets.length : null;

  const findings = evaluateFindings(
    { hosts: hostSections, tickets: { missed: missed.map((m) => ({ number: m.number, severity: m.severity, hostName: m.hostName })), slaMetShare } },
    o.lang,
  ).map((f) => ({ ...f, remark: null }));
  const count = (risk: 'high' | 'medium' | 'low') => findings.filter((f) => f.risk === risk).length;

  return InspectionReportSchema.parse({
    schemaVersion: 1,
    lang: o.lang,
    cover: {
      customerId,
      customerName: customer.name,
      period: o.scope.period,
      periodFrom: from,
      periodTo: to,
      engineer: o.engineer ?? '',
      generatedAt: o.now,
      inspectionAt: o.inspection?.startedAt ?? null,
      inspectionKey: o.scope.inspectionKey ?? null,
      holiday: o.scope.holiday ?? null,
      inspectionDate: o.scope.inspectionDate ?? null,
      firstReport: o.scope.firstReport ?? false,
      scope: o.scope.kind ?? 'inspection',
      version: o.scope.version ?? 1,
      issuer: reportIssuer(db, o.lang),
      contractNumber: profile.contractNumber,
      customerContact: { name: profile.contactName, phone: profile.contactPhone, email: profile.contactEmail },
    },
    summary: {
      inspectionRun: o.inspection !== undefined,
      openCases: allTickets
        .filter((t) => t.state !== 'closed' && t.openedAt < to)
        .sort((a, b) => a.openedAt - b.openedAt)
        .map((t) => ({ number: t.number, hostName: t.hostName, title: t.title, severity: t.severity, state: t.state, openedAt: t.openedAt })),
      changes: o.previousFindings
        ? {
            resolved: o.previousFindings.filter((p) => !findings.some((f) => f.id === p.id)).map((p) => ({ hostName: p.hostName, title: p.title })),
            added: findings.filter((f) => !o.previousFindings!.some((p) => p.id === f.id)).map((f) => ({ hostName: f.hostName, title: f.title })),
            persisting: findings.filter((f) => o.previousFindings!.some((p) => p.id === f.id)).length,
          }
        : null,
      healthScore: healthScore(findings),
      hostsTotal: hosts.length,
      hostsInspected: hostSections.filter((h) => h.reachableAtInspection).length,
      hostsUnreachable: hostSections.filter((h) => !h.reachableAtInspection).map((h) => h.name),
      findingsByRisk: { high: count('high'), medium: count('medium'), low: count('low') },
      previous: o.previous ?? null,
    },
    hosts: hostSections,
    tickets: {
      items,
      total: items.length,
      responseMetShare: share(items.map((t) => t.responseMet)),
      restoreMetShare: share(items.map((t) => t.restoreMet)),
      slaMetShare,
    },
    findings,
    signOff: null,
    figureSources: sources.result(),
  });
}

/** A check named after its type (system.disk) is shown by its title (磁盘空间与 inode / Disk space and inodes); own names stay. */
export function shownCheckName(c: { name: string; checkId: string }, lang: ReportLang): string {
  return c.name === c.checkId ? (checkTitle(c.checkId, lang) ?? c.name) : c.name;
}
