import type { Ticket } from '../../tickets/ticket-store.js';
import type { Lang } from '../../page-kit/i18n/index.js';
import type { TicketMark } from '../browser/ticket-mark.js';

export type { TicketMark };

/**
 * What a host page draws over its charts besides the figures and their warn/crit lines
 * (assignment/chart-thresholds.ts): when the host's tickets opened and were resolved.
 */

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
