import type { Lang } from '../page-kit/i18n/index.js';
import { renderCheckMessage } from '../../checks/messages.js';
import { checkTitle } from '../../checks/titles.js';
import { CheckMessageSchema, type CheckMessage } from '../../shared/check-result.js';
import type { Ticket, TicketEvent } from './ticket-store.js';

/**
 * A ticket's title as a person reads it: what crossed which threshold and how bad it is, e.g.
 * "内存使用率 96.2% ≥ 95%（严重）" / "Memory 96.2% used ≥ 95% (critical)", instead of the stored
 * "<host>: <check>" (which stays the ticket's identity in mails and the API). Manual cases keep the title the
 * caller's words gave them.
 */

export interface HeadlineThresholds {
  warn?: number;
  crit?: number;
}

const SEVERITY_WORD: Record<string, { zh: string; en: string }> = {
  CRITICAL: { zh: '严重', en: 'critical' },
  WARNING: { zh: '警告', en: 'warning' },
  UNKNOWN: { zh: '状态未知', en: 'unknown' },
};

type Figure = { value: number; zh: string; en: string };
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The one figure each threshold check is judged by, read from its result message (checks/system/messages.ts). */
const FIGURES: Record<string, (m: CheckMessage) => Figure | undefined> = {
  'system.cpu': (m) => {
    const v = num(m.values?.usagePct);
    return v === undefined ? undefined : { value: v, zh: 'CPU 使用率', en: 'CPU' };
  },
  'system.memory': (m) => {
    const v = num(m.values?.usedPct);
    return v === undefined ? undefined : { value: v, zh: '内存使用率', en: 'Memory' };
  },
  'system.disk': (m) => {
    // Above threshold: the fullest of the file systems named in the parts; all fine: the fullest one.
    const candidates = [m, ...(m.parts ?? [])].map((p) => ({ mount: p.values?.mount, pct: num(p.values?.pct) })).filter((p) => p.pct !== undefined);
    const top = candidates.sort((a, b) => b.pct! - a.pct!)[0];
    if (!top) return undefined;
    const mount = typeof top.mount === 'string' ? ` ${top.mount}` : '';
    return { value: top.pct!, zh: `磁盘${mount} 使用率`, en: `Disk${mount}` };
  },
  'system.fds': (m) => {
    const v = num(m.values?.pct);
    return v === undefined ? undefined : { value: v, zh: '文件描述符使用率', en: 'File descriptors' };
  },
};

const round1 = (v: number) => String(Math.round(v * 10) / 10);

/** The result that made the ticket: the worst one among its opening and later results (a recovery says nothing). */
function problemResult(tk: Ticket, events: readonly TicketEvent[] | undefined): { status: string; message?: CheckMessage; summary: string } {
  const rank = (s: string) => (s === 'CRITICAL' ? 3 : s === 'WARNING' ? 2 : s === 'UNKNOWN' ? 1 : 0);
  let best: { status: string; message?: CheckMessage; summary: string } | undefined;
  for (const e of events ?? []) {
    if (e.kind !== 'opened' && e.kind !== 'result') continue;
    const status = typeof e.data.status === 'string' ? e.data.status : '';
    if (!rank(status)) continue;
    const m = CheckMessageSchema.safeParse(e.data.message);
    if (!best || rank(status) >= rank(best.status)) best = { status, message: m.success ? m.data : undefined, summary: e.message };
  }
  return best ?? { status: tk.status, message: tk.summaryMessage, summary: tk.summary };
}

export function ticketHeadline(tk: Ticket, lang: Lang, opts: { events?: readonly TicketEvent[]; thresholds?: HeadlineThresholds } = {}): string {
  if (tk.kind === 'manual') return tk.title;
  const zh = lang === 'zh';
  if (tk.kind === 'host-unreachable') return zh ? `主机 ${tk.hostName} 无法连接（严重）` : `Host ${tk.hostName} unreachable (critical)`;
  const r = problemResult(tk, opts.events);
  const sev = SEVERITY_WORD[r.status];
  const tail = sev ? (zh ? `（${sev.zh}）` : ` (${sev.en})`) : '';
  const figure = tk.checkId && r.message ? FIGURES[tk.checkId]?.(r.message) : undefined;
  if (figure) {
    const limit = r.status === 'CRITICAL' ? opts.thresholds?.crit : r.status === 'WARNING' ? opts.thresholds?.warn : undefined;
    const crossed = limit !== undefined && figure.value >= limit ? ` ≥ ${round1(limit)}%` : '';
    return zh ? `${figure.zh} ${round1(figure.value)}%${crossed}${tail}` : `${figure.en} ${round1(figure.value)}% used${crossed}${tail}`;
  }
  // Any other check: its name and what its result said, in the page language.
  const what = (tk.checkId ? checkTitle(tk.checkId, lang) : undefined) ?? tk.checkName ?? tk.title;
  const said = renderCheckMessage(lang, r.message, r.summary);
  return said ? `${what}${zh ? '：' : ': '}${said}${tail}` : `${what}${tail}`;
}
