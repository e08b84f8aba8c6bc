import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { listHosts } from '../db/hosts.js';
import { DEFAULT_TIMEZONE, zonedToUtc } from '../../shared/zoned-time.js';
import { SEVERITIES, type Severity } from '../contracts/contract-store.js';
import { CASE_CHANNELS, type CaseChannel } from '../tickets/case-types.js';
import { listTickets, type Ticket } from '../tickets/ticket-store.js';

/**
 * The monthly service report (月度服务报告) a service manager sends each customer: the cases of the month by channel
 * and severity, how many response / on-site / restore promises were kept with every miss listed, MTTA and MTTR,
 * availability per host, and the customer's satisfaction scores. Figures only; render.ts words them in zh or en.
 *
 * Accounting (stated in the report): a case counts in the month it was opened (Beijing time). A target is judged
 * once it is decided, or once its due time passed before the end of the month (then it is missed); response is not
 * judged for a case that recovered before anyone was told; on site only where an arrival was recorded. MTTA and
 * MTTR are wall-clock means over the cases answered / restored. A host is down while a host-unreachable case of it
 * is open (from its opening to its restore); maintenance windows open no case and so do not count as down.
 */

export type Target = 'response' | 'onsite' | 'restore';

export interface TargetFigures {
  judged: number;
  met: number;
  /** met / judged in %, one decimal; null when nothing was judged. */
  pct: number | null;
}

export interface Miss {
  number: string;
  title: string;
  severity: Severity;
  target: Target;
  dueAt: number;
  /** When it was done, late; null when still not done at the end of the month. */
  doneAt: number | null;
  /** Minutes late at doneAt, or at the end of the month when not done. */
  lateMin: number;
}

export interface MonthlyReport {
  customerId: string;
  customerName: string;
  /** YYYY-MM */
  month: string;
  from: number;
  to: number;
  generatedAt: number;
  cases: { total: number; byChannel: Record<CaseChannel, number>; bySeverity: Record<Severity, number>; numbers: Array<Pick<Ticket, 'number' | 'title' | 'severity' | 'channel' | 'state' | 'openedAt'>> };
  sla: Record<Target, TargetFigures>;
  misses: Miss[];
  mttaMin: number | null;
  mttrMin: number | null;
  availability: Array<{ hostId: string; hostName: string; downMin: number; pct: number }>;
  satisfaction: { count: number; average: number | null; ratings: Array<{ number: string; score: number; remark: string }> };
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const round2 = (v: number) => Math.round(v * 100) / 100;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function monthBounds(month: string): { from: number; to: number } {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) throw new Error(`month: YYYY-MM, not ${month}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  return { from: zonedToUtc(y, mo, 1, 0, 0, DEFAULT_TIMEZONE), to: zonedToUtc(mo === 12 ? y + 1 : y, mo === 12 ? 1 : mo + 1, 1, 0, 0, DEFAULT_TIMEZONE) };
}

export function buildMonthlyReport(db: Db, customerId: string, month: string, now: number): MonthlyReport | undefined {
  const customer = getCustomer(db, customerId);
  if (!customer) return undefined;
  const { from, to } = monthBounds(month);
  const end = Math.min(to, now);
  // Judged as of the end of the month (or now, for the running month).
  const all = listTickets(db, { customerId, limit: 100_000, now: end });
  const cases = all.filter((t) => t.openedAt >= from && t.openedAt < to).sort((a, b) => a.openedAt - b.openedAt);

  const byChannel = Object.fromEntries(CASE_CHANNELS.map((c) => [c, 0])) as Record<CaseChannel, number>;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const t of cases) {
    byChannel[t.channel]++;
    bySeverity[t.severity]++;
  }

  const figures = (): TargetFigures => ({ judged: 0, met: 0, pct: null });
  const sla: Record<Target, TargetFigures> = { response: figures(), onsite: figures(), restore: figures() };
  const misses: Miss[] = [];
  const judge = (t: Ticket, target: Target, met: boolean | null, dueAt: number, doneAt: number | null) => {
    if (met === null) return;
    sla[target].judged++;
    if (met) sla[target].met++;
    else misses.push({ number: t.number, title: t.title, severity: t.severity, target, dueAt, doneAt: doneAt !== null && doneAt <= end ? doneAt : null, lateMin: Math.round(((doneAt !== null && doneAt <= end ? doneAt : end) - dueAt) / 60_000) });
  };
  for (const t of cases) {
    if (!t.sla.responseNotApplicable) judge(t, 'response', t.sla.responseMet, t.responseDueAt, t.acknowledgedAt);
    judge(t, 'onsite', t.sla.onsiteMet, t.onsiteDueAt, t.onsiteAt);
    judge(t, 'restore', t.sla.restoreMet, t.restoreDueAt, t.restoredAt ?? t.closedAt);
  }
  for (const f of Object.values(sla)) f.pct = f.judged ? round1((100 * f.met) / f.judged) : null;

  const mtta = mean(cases.filter((t) => t.acknowledgedAt !== null && !t.sla.responseNotApplicable).map((t) => (t.acknowledgedAt! - t.openedAt) / 60_000));
  const mttr = mean(cases.filter((t) => t.restoredAt !== null).map((t) => (t.restoredAt! - t.openedAt) / 60_000));

  const periodMs = to - from;
  const availability = listHosts(db, [customerId]).map((h) => {
    const downMs = all
      .filter((t) => t.kind === 'host-unreachable' && t.hostId === h.id)
      .reduce((sum, t) => sum + Math.max(0, Math.min(t.restoredAt ?? end, to) - Math.max(t.openedAt, from)), 0);
    return { hostId: h.id, hostName: h.name, downMin: Math.round(downMs / 60_000), pct: round2(100 * (1 - downMs / periodMs)) };
  });

  const ratings = db
    .prepare(
      `SELECT t.number, r.score, r.remark FROM ticket_ratings r JOIN tickets t ON t.id = r.ticket_id
       WHERE r.customer_id = ? AND r.rated_at >= ? AND r.rated_at < ? ORDER BY r.rated_at`,
    )
    .all(customerId, from, to) as Array<{ number: string; score: number; remark: string }>;

  return {
    customerId,
    customerName: customer.name,
    month,
    from,
    to,
    generatedAt: now,
    cases: { total: cases.length, byChannel, bySeverity, numbers: cases.map((t) => ({ number: t.number, title: t.title, severity: t.severity, channel: t.channel, state: t.state, openedAt: t.openedAt })) },
    sla,
    misses,
    mttaMin: mtta === null ? null : round1(mtta),
    mttrMin: mttr === null ? null : round1(mttr),
    availability,
    satisfaction: { count: ratings.length, average: ratings.length ? round1(mean(ratings.map((r) => r.score))!) : null, ratings },
  };
}
