import { DEFAULT_TIMEZONE, zonedParts } from '../../shared/zoned-time.js';
import { escapeHtml } from '../tickets/fault-report.js';
import { channelName } from '../tickets/case-report.js';
import type { MonthlyReport, Target } from './model.js';

export type Lang = 'zh' | 'en';

/** The report's words (also the PDF's, document.ts). */
export const W = {
  zh: {
    title: '月度服务报告', customer: '客户', month: '月份', generated: '生成时间', cases: '工单', total: '合计', byChannel: '按报告渠道', bySeverity: '按故障级别',
    sla: '服务水平达成', target: '项目', judged: '判定数', met: '达标数', pct: '达标率', misses: '未达标明细', number: '工单号', title2: '标题', severity: '级别',
    due: '时限', done: '完成时间', late: '超时（分钟）', notDone: '月底仍未完成', mtta: '平均响应时间（MTTA，分钟）', mttr: '平均恢复时间（MTTR，分钟）',
    availability: '主机可用率', host: '主机', down: '中断（分钟）', avail: '可用率', satisfaction: '客户满意度', ratings: '评价数', average: '平均分', score: '评分', remark: '意见',
    summaryTitle: '概要', item: '项目', value: '数值', caseList: '本月工单', opened: '开单时间', channel: '渠道',
    none: '无', targets: { response: '响应', onsite: '到场', restore: '恢复' } as Record<Target, string>,
    accounting: '统计口径：工单按开单时间（北京时间）计入当月；时限在完成或月底前到期时判定，到期未完成计为未达标；通知发出前已恢复的故障不计响应；到场仅在登记到场时判定；MTTA、MTTR 为已响应、已恢复工单的自然时间平均值；主机失联工单从开单到恢复期间计为中断，维护窗口内不开单，不计中断。',
  },
  en: {
    title: 'Monthly service report', customer: 'Customer', month: 'Month', generated: 'Generated', cases: 'Cases', total: 'Total', byChannel: 'By channel', bySeverity: 'By severity',
    sla: 'Service levels kept', target: 'Target', judged: 'Judged', met: 'Met', pct: 'Kept', misses: 'Targets missed', number: 'Case', title2: 'Title', severity: 'Severity',
    due: 'Due', done: 'Done', late: 'Late (min)', notDone: 'not done by the end of the month', mtta: 'Mean time to acknowledge (MTTA, min)', mttr: 'Mean time to restore (MTTR, min)',
    availability: 'Availability per host', host: 'Host', down: 'Down (min)', avail: 'Availability', satisfaction: 'Customer satisfaction', ratings: 'Ratings', average: 'Average', score: 'Score', remark: 'Remark',
    summaryTitle: 'Summary', item: 'Item', value: 'Value', caseList: 'Cases of the month', opened: 'Opened', channel: 'Channel',
    none: 'none', targets: { response: 'response', onsite: 'on site', restore: 'restore' } as Record<Target, string>,
    accounting: 'Accounting: a case counts in the month it was opened (Beijing time); a target is judged when it was done or its due time passed before the end of the month (then it is missed); a fault that recovered before anyone was notified is not judged on response; on site only where an arrival was recorded; MTTA and MTTR are wall-clock means over the cases answered and restored; a host is down while a host-unreachable case of it is open, from opening to restore; maintenance windows open no case and are not counted as down.',
  },
} as const;

export function fmt(t: number | null): string {
  if (t === null) return '-';
  const p = zonedParts(t, DEFAULT_TIMEZONE);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}
const pct = (v: number | null) => (v === null ? '-' : `${v}%`);

/** The tables of the report as rows of text, shared by HTML, CSV and Excel so the three never disagree. */
export function reportTables(r: MonthlyReport, lang: Lang) {
  const w = W[lang];
  return {
    summary: [
      [w.customer, r.customerName],
      [w.month, r.month],
      [w.cases, String(r.cases.total)],
      [w.mtta, r.mttaMin === null ? '-' : String(r.mttaMin)],
      [w.mttr, r.mttrMin === null ? '-' : String(r.mttrMin)],
      [`${w.satisfaction} (${w.average})`, r.satisfaction.average === null ? '-' : String(r.satisfaction.average)],
    ],
    byChannel: Object.entries(r.cases.byChannel).filter(([, n]) => n > 0).map(([c, n]) => [channelName(c as keyof MonthlyReport['cases']['byChannel'], lang), String(n)]),
    bySeverity: Object.entries(r.cases.bySeverity).map(([s, n]) => [s, String(n)]),
    sla: (['response', 'onsite', 'restore'] as const).map((k) => [w.targets[k], String(r.sla[k].judged), String(r.sla[k].met), pct(r.sla[k].pct)]),
    misses: r.misses.map((m) => [m.number, m.title, m.severity, w.targets[m.target], fmt(m.dueAt), m.doneAt === null ? w.notDone : fmt(m.doneAt), String(m.lateMin)]),
    availability: r.availability.map((a) => [a.hostName, String(a.downMin), `${a.pct}%`]),
    ratings: r.satisfaction.ratings.map((x) => [x.number, String(x.score), x.remark]),
  };
}

export function renderMonthlyHtml(r: MonthlyReport, lang: Lang): string {
  const w = W[lang];
  const x = reportTables(r, lang);
  const e = escapeHtml;
  const table = (head: readonly string[] | null, rows: readonly (readonly string[])[]) =>
    rows.length === 0
      ? `<p>${e(w.none)}</p>`
      : `<table>${head ? `<thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead>` : ''}<tbody>${rows.map((row) => `<tr>${row.map((c, i) => (head === null && i === 0 ? `<th>${e(c)}</th>` : `<td>${e(c)}</td>`)).join('')}</tr>`).join('')}</tbody></table>`;
  return `<!DOCTYPE html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><title>${e(`${w.title} ${r.customerName} ${r.month}`)}</title>
<style>body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC","Microsoft YaHei",Arial,sans-serif;margin:2em auto;max-width:60em;color:#222}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #bbb;padding:.35em .6em;text-align:left}th{background:#f2f2f2}.note{font-size:.85em;color:#555}
@media print{body{margin:0}}</style></head><body>
<h1>${e(w.title)} · ${e(r.customerName)} · ${e(r.month)}</h1>
${table(null, x.summary)}
<h2>${e(w.cases)}</h2><h3>${e(w.byChannel)}</h3>${table(null, x.byChannel)}<h3>${e(w.bySeverity)}</h3>${table(null, x.bySeverity)}
<h2>${e(w.sla)}</h2>${table([w.target, w.judged, w.met, w.pct], x.sla)}
<h2>${e(w.misses)}</h2>${table([w.number, w.title2, w.severity, w.target, w.due, w.done, w.late], x.misses)}
<h2>${e(w.availability)}</h2>${table([w.host, w.down, w.avail], x.availability)}
<h2>${e(w.satisfaction)}</h2>${table([w.number, w.score, w.remark], x.ratings)}
<p class="note">${e(w.accounting)}</p><p class="note">${e(w.generated)}: ${e(fmt(r.generatedAt))}</p>
</body></html>
`;
}

/** One CSV for the service manager: section, then the columns of that table (RFC 4180 quoting, UTF-8 BOM for Excel). */
export function renderMonthlyCsv(r: MonthlyReport, lang: Lang): string {
  const x = reportTables(r, lang);
  const q = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines: string[] = [];
  for (const [section, rows] of Object.entries(x)) for (const row of rows) lines.push([section, ...row].map(q).join(','));
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}

/** The same tables as an Excel workbook, a sheet each. */
export async function renderMonthlyXlsx(r: MonthlyReport, lang: Lang): Promise<Buffer> {
  const w = W[lang];
  const x = reportTables(r, lang);
  // exceljs (with its zip libraries) is loaded on the first workbook, not when the collector starts: ~0.3 s less each start.
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  book.creator = 'Patrol';
  const sheet = (name: string, head: readonly string[] | null, rows: readonly (readonly string[])[], numeric: number[] = []) => {
    const s = book.addWorksheet(name);
    if (head) s.addRow([...head]).font = { bold: true };
    for (const row of rows) s.addRow(row.map((v, i) => (numeric.includes(i) && v !== '-' && !Number.isNaN(Number(v.replace('%', ''))) ? Number(v.replace('%', '')) : v)));
    s.columns.forEach((col) => (col.width = 22));
  };
  sheet('Summary', null, x.summary, [1]);
  sheet('Cases', [w.byChannel, w.total], [...x.byChannel, ...x.bySeverity], [1]);
  sheet('SLA', [w.target, w.judged, w.met, w.pct], x.sla, [1, 2, 3]);
  sheet('Misses', [w.number, w.title2, w.severity, w.target, w.due, w.done, w.late], x.misses, [6]);
  sheet('Availability', [w.host, w.down, w.avail], x.availability, [1, 2]);
  sheet('Satisfaction', [w.number, w.score, w.remark], x.ratings, [1]);
  return Buffer.from(await book.xlsx.writeBuffer());
}
