import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../collector/db/database.js';
import { createUser } from '../../collector/db/users.js';
import { sqliteMetricsStore } from '../../collector/metrics/sqlite-store.js';
import type { MetricsStore } from '../../collector/metrics/store.js';
import { generateReport } from '../../collector/reports/generate.js';
import { loadReport } from '../../collector/reports/report-store.js';
import { inspectionDocument } from '../../collector/reports/inspection-document.js';
import { buildFaultDocument } from '../../collector/reports/fault-document.js';
import { pdfHeaderFooter, renderDocumentHtml } from '../../collector/reports/render-html.js';
import { renderReportPdf } from '../../collector/reports/render-pdf.js';
import type { ReportDocument } from '../../collector/reports/document.js';
import { addEvent, listTickets, updateTicket, SYSTEM_ACTOR } from '../../collector/tickets/ticket-store.js';
import { ensureDebianPackage } from '../helpers/system-packages.js';
import { tempDir } from '../helpers/temp-dir.js';
import { DEMO_CUSTOMER, DEMO_NOW, DEMO_PERIOD, seedDemoFleet, seedDemoProvider } from './demo-fleet.js';

/**
 * Every word in the customer's language (issue 13, item 4): the zh inspection report and a zh fault-handling
 * report of the demo fleet, as HTML (tags stripped) and as the PDF's text (pdftotext), hold no Latin word but
 * the ones a Chinese report legitimately shows: host and check names, ids, units, paths, numbers of contracts
 * and cases, addresses, and product names from the inventory.
 */

const dir = tempDir('zh-words');
let db: Db;
let store: MetricsStore;
const docs: Record<'inspection' | 'fault', ReportDocument | undefined> = { inspection: undefined, fault: undefined };

/** Words that are names, not sentences: what a zh report may show in Latin letters. */
const ALLOWED_WORDS = new Set([
  // hosts, the device's own name, interfaces and the check names the provider gave (ids the customer sees in the dashboard too)
  'db1', 'web1', 'web2', 'sw1', 'SW-CORE-01', 'eth0', 'pg-main', 'backup', 'shop', 'core-switch',
  // the monitoring agent's process name, which the advice tells the customer to look for
  'patrol-agent',
  // products and hardware from the inventory and the checks' own readings
  'Kylin', 'Linux', 'Advanced', 'Server', 'V10', 'Hygon', 'C86', 'PostgreSQL',
  // units and measures, as Chinese technical documents write them
  'B', 'KiB', 'MiB', 'GiB', 'TiB', 'ms', 'CPU', 'P95', 'SLA', 'SNMP', 'SSH', 'HTTP', 'inode',
  // severities of the contract
  'P1', 'P2', 'P3', 'P4',
]);

/** Tokens that are ids by their shape (case and contract numbers, check ids, kernels, dates, e-mail, URLs, paths). */
const ALLOWED_SHAPES: RegExp[] = [
  /^INC-\d{4}-\d*$/, // case numbers (a PDF line may break one after its second hyphen)
  /^[A-Z]{2,}(-[A-Z0-9]+)+-\d{4}-\d+$/, // contract numbers (YX-WB-2026-0318)
  /^[a-z]+(\.[a-z0-9_]+)+$/, // check ids shown as ids (system.cpu)
  /^[\w.+-]+@[\w.-]+$/, // e-mail
  /^https?:\/\//, // URLs
  /^\//, // file paths and mount points
  /^\d[\w.-]*$/, // versions and kernels (4.19.90-52.22.v2207.ky10.x86_64)
  /^(\d+(\.\d+)?)?([KMGT]i)?B?\/s$/, // rates (1/s, KiB/s)
];

/** The Latin words in a text that no allow-list covers, each with the text around it. */
function untranslated(text: string): string[] {
  const out: string[] = [];
  // A token: letters, digits and the joiners ids use; paths, URLs and addresses stay one token.
  for (const m of text.matchAll(/(?:https?:\/\/|\/)?[A-Za-z0-9][\w.@/+:-]*/g)) {
    const raw = m[0].replace(/[.:,;)]+$/, '');
    if (!/[A-Za-z]/.test(raw)) continue;
    if (ALLOWED_WORDS.has(raw) || ALLOWED_SHAPES.some((re) => re.test(raw))) continue;
    const at = m.index ?? 0;
    out.push(`${raw}  «${text.slice(Math.max(0, at - 30), at + raw.length + 30).replace(/\s+/g, ' ')}»`);
  }
  return out;
}

function htmlText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<head[\s\S]*?<\/head>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

async function pdfText(doc: ReportDocument, name: string): Promise<string> {
  ensureDebianPackage('chromium', '/usr/bin/chromium');
  ensureDebianPackage('fonts-wqy-microhei', '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc');
  const pdftotext = ensureDebianPackage('poppler-utils', '/usr/bin/pdftotext');
  const pdf = await renderReportPdf(renderDocumentHtml(doc), pdfHeaderFooter(doc));
  const file = join(dir.path, `${name}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync(pdftotext, ['-layout', file, '-'], { encoding: 'utf8' });
}

beforeAll(async () => {
  db = openDatabase(join(dir.path, 'patrol.db'));
  store = sqliteMetricsStore({ path: join(dir.path, 'metrics.db'), retentionDays: 100_000, now: () => DEMO_NOW });
  await store.init();
  await seedDemoFleet(db, store);
  seedDemoProvider(db);
  const rec = await generateReport({ db, store, dataDir: dir.path, now: () => DEMO_NOW }, { customerId: DEMO_CUSTOMER, period: DEMO_PERIOD, lang: 'zh', engineer: '李明' });
  docs.inspection = inspectionDocument(loadReport(db, rec));

  // web1's CPU case, worked as a real one is: what the service desk writes for itself sits beside what the customer reads.
  const engineer = createUser(db, { username: 'liming', password: 'x-secret-1', role: 'engineer', displayName: '李明', now: DEMO_NOW });
  const customer = createUser(db, { username: 'chen', password: 'x-secret-2', role: 'customer', customerId: DEMO_CUSTOMER, displayName: '陈建国', now: DEMO_NOW });
  const t = listTickets(db, { customerIds: [DEMO_CUSTOMER], now: DEMO_NOW }).find((x) => x.hostName === 'web1')!;
  const min = 60_000;
  const me = { id: engineer.id, name: '李明' };
  const them = { id: customer.id, name: '陈建国' };
  const ev = (at: number, actor: { id: string | null; name: string }, kind: string, message = '', data: Record<string, unknown> = {}) => addEvent(db, t, { at: t.openedAt + at * min, actor, kind, message, data });
  ev(0, SYSTEM_ACTOR, 'opened', 'CPU 97% used', { status: 'CRITICAL', severity: 'P2', message: { key: 'system.cpu.usage', values: { usagePct: 97, load1: 7.9, load5: 7.2, load15: 6.8, cores: 8 } } });
  ev(1, SYSTEM_ACTOR, 'notify-fallback', 'nobody on duty at L1, L2, L3 of ACME has a channel; none of them has an e-mail address', { tiers: [1, 2, 3] });
  ev(12, me, 'acknowledged', 'took the ticket');
  ev(14, SYSTEM_ACTOR, 'escalated', 'L1 -> L2: the restore target due at 2026-07-21T11:00:00.000Z is about to be missed', { from: 1, to: 2, target: 'restore' });
  ev(20, me, 'comment', 'internal: the nginx worker count was left at 64 by the vendor');
  ev(25, me, 'comment', '已定位为促销活动流量导致，正在扩容。', { public: true });
  ev(30, them, 'comment', '请尽快处理，下午有促销。');
  ev(40, SYSTEM_ACTOR, 'flapping-started', 'flapping');
  ev(95, SYSTEM_ACTOR, 'recovered', 'CPU 35% used', { message: { key: 'system.cpu.usage', values: { usagePct: 35, load1: 2.1, load5: 2.4, load15: 2.9, cores: 8 } } });
  ev(100, me, 'resolved', '已增加两台应用服务器并调整负载均衡权重。');
  ev(24 * 60, them, 'closed', '确认恢复');
  ev(24 * 60 + 1, them, 'rated', '响应及时', { score: 5 });
  updateTicket(db, t.id, { closedBy: customer.id, cause: '促销活动带来约 4 倍访问量，应用服务器 CPU 饱和。', actions: '临时增加两台应用服务器，调整负载均衡权重。', prevention: '促销前按预估流量提前扩容，并配置弹性伸缩。' }, DEMO_NOW);
  docs.fault = buildFaultDocument(db, t.id, { now: DEMO_NOW, lang: 'zh' });
}, 180_000);

afterAll(async () => {
  await store?.close();
  db?.close();
  dir.remove();
});

describe('a zh report holds no English', () => {
  test('the scan finds an English word in a zh text, with its context, and passes ids, units and names', () => {
    expect(untranslated('主机 web1 的 CPU 使用率 97%，内存 31.2 GiB，合同 YX-WB-2026-0318，工单 INC-2026-000001，挂载点 /data')).toEqual([]);
    expect(untranslated('检查项 system.cpu，操作系统 Kylin Linux Advanced Server V10，内核 4.19.90-52.22.v2207.ky10.x86_64')).toEqual([]);
    expect(untranslated('服务热线 400-820-8899，邮箱 service@yunxun.example，网址 https://shop.demo.example/')).toEqual([]);
    const found = untranslated('检查结果：CPU 18.02% used, load 0.31 0.81 0.81，正常');
    expect(found.map((f) => f.split(' ')[0])).toEqual(['used', 'load']);
    expect(found[0]).toContain('«检查结果：CPU 18.02% used, load 0.31');
  });

  test('the zh inspection report, HTML and PDF', async () => {
    const doc = docs.inspection!;
    expect(untranslated(htmlText(renderDocumentHtml(doc)))).toEqual([]);
    const text = await pdfText(doc, 'inspection');
    expect(text).toContain('巡检报告');
    expect(untranslated(text)).toEqual([]);
  }, 60_000);

  test('the zh fault-handling report, HTML and PDF; internal routing never reaches the customer', async () => {
    const doc = docs.fault!;
    const html = renderDocumentHtml(doc);
    const text = htmlText(html);
    expect(untranslated(text)).toEqual([]);
    // What the customer reads: the public comment, their own, the resolution, the escalation without who was on duty.
    for (const said of ['已定位为促销活动流量导致，正在扩容。', '请尽快处理，下午有促销。', '已增加两台应用服务器并调整负载均衡权重。', '升级至第二级技术支持', '客户评价 5 分（满分 5 分）', '已在线确认关闭：陈建国']) expect(text).toContain(said);
    // What they do not: the notification routing, the internal note, flapping, the escalation's reason.
    for (const internal of ['nobody on duty', 'e-mail address', 'nginx', '通知改发', '抖动', 'about to be missed', '未到场']) expect(text).not.toContain(internal);
    expect(html).toContain('<td>到场</td><td>120 分钟（截止');
    expect(html).toContain('<td>无需到场</td><td class="nw muted">不适用</td>');
    const pdf = await pdfText(doc, 'fault');
    expect(pdf).toContain('故障处理报告');
    const flat = pdf.replace(/\s+/g, '');
    expect(flat).toContain('本报告仅供华东示范制造有限公司内部使用');
    expect(flat).toMatch(/第1页\/共\d页/);
    expect(untranslated(pdf)).toEqual([]);
  }, 60_000);
});
