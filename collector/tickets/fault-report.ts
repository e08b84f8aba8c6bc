import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { getUser } from '../db/users.js';
import { calendarElapsedMs, DEFAULT_TIMEZONE, zonedParts, type Calendar } from '../contracts/sla-calendar.js';
import { getContract, type SlaTarget } from '../contracts/contract-store.js';
import { getTicket, listEvents, type Ticket, type TicketEvent } from './ticket-store.js';
import { getRating, type Rating } from './case-actions.js';
import { CASE_EVENT_KINDS_ZH, caseReportRows, closedByRule } from './case-report.js';
import { CheckMessageSchema, type CheckMessage } from '../../shared/check-result.js';
import { renderCheckMessage } from '../../checks/messages.js';

export type ReportLang = 'zh' | 'en';

export interface TimelineEntry {
  at: number;
  /** Set when repeated check results were folded into one line. */
  until: number | null;
  count: number;
  actor: string;
  kind: string;
  message: string;
  /**
   * The check result the event kept as a message (result, opened, recovered), rendered in the report's language;
   * `prefix` is what the English line has before the result's own words ("CRITICAL: ").
   */
  said?: { prefix: string; message: CheckMessage };
}

/** Everything the fault-handling report (故障处理报告) shows, filled from the ticket and its events. */
export interface FaultReport {
  ticket: Ticket;
  customerName: string;
  acknowledgedByName: string | null;
  closedByName: string | null;
  /** The customer's satisfaction score, once they rated the case. */
  rating: Rating | null;
  calendar: Calendar;
  target: SlaTarget;
  responseMs: number | null;
  /** Opening to the recorded on-site arrival, on the contract calendar. */
  onsiteMs: number | null;
  restoreMs: number | null;
  timeline: TimelineEntry[];
  generatedAt: number;
}

/** Consecutive identical check results become one line ("12 results CRITICAL, 10:01-10:12"). */
function foldTimeline(events: readonly TicketEvent[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    const status = String(e.data.status ?? '');
    if (e.kind === 'result' && last && last.kind === 'result' && last.message.startsWith(`${status}:`)) {
      last.until = e.at;
      last.count++;
      continue;
    }
    const said = CheckMessageSchema.safeParse(e.data.message);
    const prefix = e.kind === 'result' ? `${status}: ` : '';
    out.push({
      at: e.at,
      until: null,
      count: 1,
      actor: e.actorName,
      kind: e.kind,
      message: `${prefix}${e.message}`,
      ...(said.success ? { said: { prefix, message: said.data } } : {}),
    });
  }
  return out;
}

/** The report of one ticket, or undefined if the caller may not see it. */
export function buildFaultReport(db: Db, ticketId: string, opts: { customerIds?: readonly string[]; now: number }): FaultReport | undefined {
  const ticket = getTicket(db, ticketId, opts);
  if (!ticket) return undefined;
  const contract = getContract(db, ticket.customerId);
  const userName = (id: string | null) => {
    if (!id) return null;
    if (id === 'system') return 'system';
    const u = getUser(db, id);
    return u ? u.displayName || u.username : id;
  };
  return {
    ticket,
    customerName: getCustomer(db, ticket.customerId)?.name ?? ticket.customerId,
    acknowledgedByName: userName(ticket.acknowledgedBy),
    closedByName: userName(ticket.closedBy),
    rating: getRating(db, ticket.id) ?? null,
    calendar: contract.calendar,
    target: contract.targets[ticket.severity],
    responseMs: ticket.acknowledgedAt === null ? null : calendarElapsedMs(contract.calendar, ticket.openedAt, ticket.acknowledgedAt),
    onsiteMs: ticket.onsiteAt === null ? null : calendarElapsedMs(contract.calendar, ticket.openedAt, ticket.onsiteAt),
    restoreMs: ticket.restoredAt === null ? null : calendarElapsedMs(contract.calendar, ticket.openedAt, ticket.restoredAt),
    timeline: foldTimeline(listEvents(db, ticket.id)),
    generatedAt: opts.now,
  };
}

const L = {
  zh: {
    title: '故障处理报告',
    summary: '概要',
    number: '工单编号',
    customer: '客户',
    host: '主机',
    check: '检查项',
    severity: '故障级别',
    state: '当前状态',
    opened: '发现时间',
    acknowledged: '响应时间',
    by: '响应人',
    onsiteAt: '到场时间',
    restored: '恢复时间',
    closed: '关闭时间',
    closedBy: '关闭确认人',
    sla: '服务水平（SLA）',
    item: '项目',
    target: '目标',
    actual: '实际',
    met: '是否达标',
    response: '响应',
    onsite: '到场',
    restore: '恢复',
    yes: '达标',
    no: '超时',
    pending: '进行中',
    notApplicable: '不适用（通知发出前已恢复）',
    notRecorded: '未到场',
    due: '截止',
    cause: '故障原因',
    actions: '处理措施',
    prevention: '预防建议',
    timeline: '处理经过',
    time: '时间',
    who: '操作人',
    what: '事件',
    detail: '说明',
    none: '（待填写）',
    hostUnreachable: '主机失联',
    minutes: '分钟',
    flapping: '（状态抖动）',
    accounting:
      '计时说明：时间按合同日历计算（{cal}）；响应时间自系统自动开单起至工程师首次响应（确认、开始处理、到场、认领或解决）；通知发出前即已恢复的故障无需响应，不计入响应达标率；到场时间自开单起至工程师登记的到场时刻，未登记到场的故障不计到场；恢复时间自开单起至检查恢复正常或工程师处理完毕，以先到者为准；工单重新打开后以最后一次恢复为准。维护窗口内的故障不开单、不计时。',
    cal724: '7x24 小时',
    calBusiness: '工作时间 {days} {start}-{end}（{tz}）',
    generated: '生成时间',
    results: '次检查结果',
    kinds: {
      opened: '自动开单',
      result: '检查结果',
      severity: '级别升高',
      escalated: '升级',
      acknowledged: '已响应',
      onsite: '工程师到场',
      in_progress: '处理中',
      assigned: '指派',
      comment: '备注',
      recovered: '自动恢复',
      resolved: '已解决',
      closed: '已关闭',
      reopened: '重新打开',
      'flapping-started': '开始抖动',
      'flapping-stopped': '抖动结束',
      'report-updated': '更新报告',
      'notify-fallback': '通知改发',
      'reopen-announced': '补发重开通知',
      ...CASE_EVENT_KINDS_ZH,
    } as Record<string, string>,
    states: { open: '待响应', acknowledged: '已响应', in_progress: '处理中', recovered: '已恢复（待客户确认）', resolved: '已解决（待客户确认）', closed: '已关闭' } as Record<string, string>,
  },
  en: {
    title: 'Fault-handling report',
    summary: 'Summary',
    number: 'Ticket',
    customer: 'Customer',
    host: 'Host',
    check: 'Check',
    severity: 'Severity',
    state: 'State',
    opened: 'Detected',
    acknowledged: 'Acknowledged',
    by: 'Acknowledged by',
    onsiteAt: 'Engineer on site',
    restored: 'Restored',
    closed: 'Closed',
    closedBy: 'Closure confirmed by',
    sla: 'Service levels (SLA)',
    item: 'Item',
    target: 'Target',
    actual: 'Actual',
    met: 'Met',
    response: 'Response',
    onsite: 'On site',
    restore: 'Restore',
    yes: 'met',
    no: 'missed',
    pending: 'running',
    notApplicable: 'not applicable (recovered before anyone was notified)',
    notRecorded: 'no visit recorded',
    due: 'due',
    cause: 'Cause',
    actions: 'Actions taken',
    prevention: 'Prevention',
    timeline: 'Timeline',
    time: 'Time',
    who: 'Who',
    what: 'Event',
    detail: 'Detail',
    none: '(to be filled in)',
    hostUnreachable: 'host unreachable',
    minutes: 'min',
    flapping: ' (flapping)',
    accounting:
      'Accounting: times are counted on the contract calendar ({cal}); response runs from the automatic opening of the ticket to the first response by an engineer (acknowledge, start work, on-site arrival, taking the ticket or resolving it), and a fault that recovered before anyone was notified needed no response and is not counted; on site runs from opening to the arrival an engineer recorded, and a fault with no recorded visit is not judged on it; restore runs from opening until the check was OK again or an engineer resolved it, whichever came first, and after a reopen until the final restore. Faults inside maintenance windows open no ticket and are not counted.',
    cal724: '7x24',
    calBusiness: 'business hours {days} {start}-{end} ({tz})',
    generated: 'Generated',
    results: 'check results',
    kinds: {} as Record<string, string>,
    states: {} as Record<string, string>,
  },
} as const;

function fmtTime(t: number | null, tz: string): string {
  if (t === null) return '-';
  const p = zonedParts(t, tz);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

function fmtMinutes(ms: number | null, lang: ReportLang): string {
  return ms === null ? '-' : `${Math.round(ms / 60_000)} ${L[lang].minutes}`;
}

interface ReportText {
  title: string;
  summaryRows: Array<[string, string]>;
  slaHead: [string, string, string, string];
  slaRows: Array<[string, string, string, string]>;
  sections: Array<[string, string]>;
  timelineHead: [string, string, string, string];
  timelineRows: Array<[string, string, string, string]>;
  accounting: string;
  generated: string;
}

/** Language-specific words and figures, shared by the HTML and Markdown renderers. */
function reportText(r: FaultReport, lang: ReportLang): ReportText {
  const l = L[lang];
  const t = r.ticket;
  const tz = r.calendar.kind === 'business' ? r.calendar.timezone : DEFAULT_TIMEZONE;
  const metText = (v: boolean | null) => (v === null ? l.pending : v ? l.yes : l.no);
  const cal =
    r.calendar.kind === '7x24'
      ? l.cal724
      : l.calBusiness
          .replace('{days}', r.calendar.days.map((d) => ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d]).join(','))
          .replace('{start}', r.calendar.start)
          .replace('{end}', r.calendar.end)
          .replace('{tz}', r.calendar.timezone);
  return {
    title: `${l.title} ${t.number}`,
    summaryRows: [
      [l.number, t.number],
      [l.customer, r.customerName],
      [l.host, t.hostName],
      [l.check, t.kind === 'host-unreachable' ? l.hostUnreachable : `${t.checkName ?? ''}${t.flapping ? l.flapping : ''}`],
      [l.severity, t.severity],
      [l.state, l.states[t.state] ?? t.state],
      [l.opened, fmtTime(t.openedAt, tz)],
      [l.acknowledged, fmtTime(t.acknowledgedAt, tz)],
      [l.by, r.acknowledgedByName ?? '-'],
      [l.onsiteAt, fmtTime(t.onsiteAt, tz)],
      [l.restored, fmtTime(t.restoredAt, tz)],
      [l.closed, fmtTime(t.closedAt, tz)],
      [l.closedBy, t.closedBy === 'system' ? closedByRule(lang) : (r.closedByName ?? '-')],
      ...caseReportRows(t, r.rating, lang),
    ],
    slaHead: [l.item, l.target, l.actual, l.met],
    slaRows: [
      [
        l.response,
        `${r.target.respondMin} ${l.minutes} (${l.due} ${fmtTime(t.responseDueAt, tz)})`,
        fmtMinutes(r.responseMs, lang),
        t.sla.responseNotApplicable ? l.notApplicable : metText(t.sla.responseMet),
      ],
      [l.onsite, `${r.target.onsiteMin} ${l.minutes} (${l.due} ${fmtTime(t.onsiteDueAt, tz)})`, fmtMinutes(r.onsiteMs, lang), t.onsiteAt === null ? l.notRecorded : metText(t.sla.onsiteMet)],
      [l.restore, `${r.target.restoreMin} ${l.minutes} (${l.due} ${fmtTime(t.restoreDueAt, tz)})`, fmtMinutes(r.restoreMs, lang), metText(t.sla.restoreMet)],
    ],
    sections: [
      [l.cause, t.cause || l.none],
      [l.actions, t.actions || l.none],
      [l.prevention, t.prevention || l.none],
    ],
    timelineHead: [l.time, l.who, l.what, l.detail],
    timelineRows: r.timeline.map((e) => [
      e.until === null ? fmtTime(e.at, tz) : `${fmtTime(e.at, tz)} - ${fmtTime(e.until, tz)}`,
      e.actor,
      l.kinds[e.kind] ?? e.kind,
      ((text) => (e.count > 1 ? `${e.count} ${l.results}: ${text}` : text))(
        // Only where the line is the result's own words after the prefix (a recovery may say more around it).
        e.said && e.message.slice(e.said.prefix.length) === renderCheckMessage('en', e.said.message, '')
          ? `${e.said.prefix}${renderCheckMessage(lang, e.said.message, e.message)}`
          : e.message,
      ),
    ]),
    accounting: l.accounting.replace('{cal}', cal),
    generated: `${l.generated}: ${fmtTime(r.generatedAt, tz)}`,
  };
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Self-contained HTML (inline CSS, no external resources), every value escaped. */
export function renderFaultReportHtml(r: FaultReport, lang: ReportLang): string {
  const x = reportText(r, lang);
  const e = escapeHtml;
  const table = (head: readonly string[] | null, rows: ReadonlyArray<readonly string[]>) =>
    `<table>${head ? `<thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead>` : ''}<tbody>${rows
      .map((row) => `<tr>${row.map((c, i) => (head === null && i === 0 ? `<th>${e(c)}</th>` : `<td>${e(c)}</td>`)).join('')}</tr>`)
      .join('')}</tbody></table>`;
  const l = L[lang];
  return `<!DOCTYPE html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><title>${e(x.title)}</title>
<style>
body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC","Microsoft YaHei",Arial,sans-serif;margin:2em auto;max-width:60em;color:#222}
h1{font-size:1.5em;border-bottom:2px solid #333;padding-bottom:.3em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #bbb;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#f2f2f2;width:12em}.text{white-space:pre-wrap;border:1px solid #ddd;padding:.6em}.note{font-size:.85em;color:#555}
@media print{body{margin:0}h2{page-break-after:avoid}}
</style></head><body>
<h1>${e(x.title)}</h1>
<h2>${e(l.summary)}</h2>${table(null, x.summaryRows)}
<h2>${e(l.sla)}</h2>${table(x.slaHead, x.slaRows)}
${x.sections.map(([h, body]) => `<h2>${e(h)}</h2><div class="text">${e(body)}</div>`).join('\n')}
<h2>${e(l.timeline)}</h2>${table(x.timelineHead, x.timelineRows)}
<p class="note">${e(x.accounting)}</p><p class="note">${e(x.generated)}</p>
</body></html>
`;
}

/** Escape Markdown table cells and text so user input cannot break the layout. */
function md(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/([*_`#<>[\]])/g, '\\$1').replace(/\r?\n/g, '<br>');
}

export function renderFaultReportMarkdown(r: FaultReport, lang: ReportLang): string {
  const x = reportText(r, lang);
  const l = L[lang];
  const table = (head: readonly string[], rows: ReadonlyArray<readonly string[]>) =>
    [`| ${head.map(md).join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`, ...rows.map((row) => `| ${row.map(md).join(' | ')} |`)].join('\n');
  const blocks = [
    `# ${md(x.title)}`,
    `## ${l.summary}`,
    table(['', ''], x.summaryRows),
    `## ${l.sla}`,
    table(x.slaHead, x.slaRows),
    ...x.sections.map(([h, body]) => `## ${h}\n\n${body.split(/\r?\n/).map((line) => md(line)).join('  \n')}`),
    `## ${l.timeline}`,
    table(x.timelineHead, x.timelineRows),
    `_${md(x.accounting)}_`,
    `_${md(x.generated)}_`,
  ];
  return blocks.join('\n\n') + '\n';
}
