import type { Db } from '../../db/database.js';
import type { Host } from '../../db/hosts.js';
import { resolveAssignment } from '../../assignment/db-source.js';
import { thresholdsOnly } from '../../assignment/param-visibility.js';
import { thresholds } from '../../reports/check-standards.js';
import type { Ticket } from '../../tickets/ticket-store.js';
import type { Lang } from '../i18n/index.js';

/**
 * What a host page draws over its charts besides the figures: the warn/crit lines of the check that judges
 * the figure (as the host runs it: the assigned parameters over the check's defaults, the numbers the reports'
 * 检查标准 state too), and when the host's tickets opened and were resolved.
 */

export interface ChartThresholds {
  warn?: number;
  crit?: number;
}

/** The warn/crit pair of each check on the host (first assignment of a check type wins), by check id. */
export function thresholdsByCheck(db: Db, host: Host): Map<string, ChartThresholds> {
  const out = new Map<string, ChartThresholds>();
  let checks: Array<{ checkId: string; params: Record<string, unknown> }>;
  try {
    checks = resolveAssignment(db, host).checks;
  } catch {
    // A template that no longer parses must not take the host page down; the charts then go without lines.
    return out;
  }
  for (const ch of checks) {
    if (out.has(ch.checkId)) continue;
    const p = thresholds(ch.checkId, thresholdsOnly(ch.params));
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    out.set(ch.checkId, { warn: num(p.warnPct), crit: num(p.critPct) });
  }
  return out;
}

/** A ticket as the charts mark it: a line where it opened and one where it was resolved (or came back). */
export interface TicketMark {
  number: string;
  /** ms */
  openedAt: number;
  restoredAt: number | null;
  severity: string;
  status: string;
  /** The check type the ticket is about; null for the host itself (unreachable), marked on every chart. */
  checkId: string | null;
  title: string;
}

export function ticketMarks(tickets: readonly Ticket[], headline: (tk: Ticket) => string): TicketMark[] {
  return tickets.map((tk) => ({
    number: tk.number,
    openedAt: tk.openedAt,
    restoredAt: tk.resolvedAt ?? tk.restoredAt ?? tk.closedAt,
    severity: tk.severity,
    status: tk.status,
    checkId: tk.checkId,
    title: headline(tk),
  }));
}

/** Words the chart script needs (legend, marks), in the page language. */
export function chartWords(lang: Lang): Record<string, string> {
  return lang === 'zh'
    ? { time: '时间', warn: '警告阈值', crit: '严重阈值', opened: '工单开启', restored: '工单解决' }
    : { time: 'Time', warn: 'Warning threshold', crit: 'Critical threshold', opened: 'Ticket opened', restored: 'Ticket resolved' };
}
