import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createUser } from '../../collector/db/users.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { reportsPlugin } from '../../collector/reports/plugin.js';
import { InspectionAnswers, runInspection } from '../../collector/reports/inspection.js';
import { generateReport } from '../../collector/reports/generate.js';
import { loadReport } from '../../collector/reports/report-store.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { ensureDebianPackage } from '../helpers/system-packages.js';
import { RawAgent } from '../helpers/raw-agent.js';
import { tempDir } from '../helpers/temp-dir.js';
import { NOW, PERIOD, seedQuarter } from './seed.js';

/**
 * The reports API in a real collector (embedded store, clock fixed at 2026-10-05): generating, downloads
 * (HTML, JSON, a PDF with pages and Chinese text), remarks and sign-off, the calendar, tenancy, and an
 * inspection run over a real agent WebSocket.
 */

const PASSWORD = 'pw-reports-1';
const auth = (user: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString('base64')}` });

describe('reports API', () => {
  let c: TestCollector;
  const answers = new InspectionAnswers();
  const out = tempDir('report-out');
  let reportId: string;
  let diskFindingId: string;

  const call = async (user: string, method: string, path: string, body?: unknown) => {
    // The collection is /api/reports itself (no trailing slash).
    const res = await fetch(`${c.url}/api/reports${path.replace(/^\/(?=$|\?)/, '')}`, {
      method,
      headers: { ...auth(user), ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return res;
  };

  beforeAll(async () => {
    c = await startTestCollector({}, { plugins: [reportsPlugin], listeners: [answers], now: () => NOW });
    await seedQuarter(c.db, c.store, 'acme');
    ensureCustomer(c.db, 'globex', 'Globex', NOW);
    const now = NOW;
    createUser(c.db, { username: 'eng-a', password: PASSWORD, role: 'engineer', serves: ['acme'], displayName: '王工', now });
    createUser(c.db, { username: 'eng-b', password: PASSWORD, role: 'engineer', serves: ['globex'], now });
    createUser(c.db, { username: 'cust-a', password: PASSWORD, role: 'customer', customerId: 'acme', now });
    createUser(c.db, { username: 'cust-b', password: PASSWORD, role: 'customer', customerId: 'globex', now });

    const res = await call('eng-a', 'POST', '/', { customer: 'acme', inspection: 'national-day-2026' });
    expect(res.status).toBe(201);
    reportId = ((await res.json()) as { id: string }).id;
  });

  afterAll(async () => {
    await c?.destroy();
    out.remove();
  });

  test('the engineer gets the report with its figures; it is stored under the data dir', async () => {
    const res = await call('eng-a', 'GET', `/${reportId}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { report: { summary: { healthScore: number }; cover: { engineer: string }; findings: Array<{ id: string; rule: string }> } };
    expect(body.report.summary.healthScore).toBe(45);
    expect(body.report.cover.engineer).toBe('王工');
    diskFindingId = body.report.findings.find((f) => f.rule === 'disk')!.id;
    expect(readdirSync(join(c.dataDir, 'reports', 'acme', reportId)).sort()).toEqual(['report.html', 'report.json']);
    const list = (await (await call('eng-a', 'GET', '/?customer=acme')).json()) as { reports: Array<{ id: string; customerName: string; status: string; inspectionKey: string }> };
    expect(list.reports.map((r) => [r.id, r.customerName, r.status, r.inspectionKey])).toEqual([[reportId, 'ACME 有限公司', 'draft', 'national-day-2026']]);
  });

  test('the customer sees no draft: not in the list, 404 on every download, until it is signed off', async () => {
    const list = (await (await call('cust-a', 'GET', '/?customer=acme')).json()) as { reports: unknown[] };
    expect(list.reports).toEqual([]);
    for (const p of ['', '/html', '/json', '/pdf']) expect((await call('cust-a', 'GET', `/${reportId}${p}`)).status).toBe(404);
  });

  test("customer B never gets customer A's report: 404 on every route, nothing in lists", async () => {
    for (const user of ['cust-b', 'eng-b']) {
      for (const p of ['', '/html', '/json', '/pdf']) expect((await call(user, 'GET', `/${reportId}${p}`)).status).toBe(404);
      const list = (await (await call(user, 'GET', '/')).json()) as { reports: unknown[] };
      expect(list.reports).toEqual([]);
      expect((await call(user, 'GET', '/calendar?customer=acme')).status).toBe(404);
    }
    expect((await call('eng-b', 'PUT', `/${reportId}/remarks/${encodeURIComponent(diskFindingId)}`, { remark: 'x' })).status).toBe(404);
    expect((await call('eng-b', 'POST', `/${reportId}/sign-off`, {})).status).toBe(404);
    expect((await call('eng-b', 'POST', '/', { customer: 'acme', period: PERIOD })).status).toBe(404);
    // The customer's own users may not change a report (and do not see it as a draft).
    expect((await call('cust-a', 'PUT', `/${reportId}/remarks/${encodeURIComponent(diskFindingId)}`, { remark: 'x' })).status).toBe(403);
  });

  test('a remark is shown escaped in the HTML; after sign-off nothing changes any more', async () => {
    const remark = '已联系客户扩容 <img src=x onerror=alert(1)>';
    expect((await call('eng-a', 'PUT', `/${reportId}/remarks/${encodeURIComponent(diskFindingId)}`, { remark })).status).toBe(200);
    expect((await call('eng-a', 'PUT', `/${reportId}/remarks/no-such-finding`, { remark })).status).toBe(404);
    const html = await (await call('eng-a', 'GET', `/${reportId}/html`)).text();
    expect(html).toContain('已联系客户扩容 &lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
    // Self-contained: no script, no link, no element or attribute that loads anything (URLs only as text); the
    // only references are the contents' anchors in the page itself and the logo as a data: image.
    expect(html).not.toMatch(/<script|<link|<(iframe|object|embed)\b|<[^>]+\s(src|href)=(?!"(#[a-z0-9-]+|data:image\/(png|svg\+xml);base64,[A-Za-z0-9+/=]+)")|url\(|<[^>]*https?:\/\//i);
    expect(html).toContain('GET https://shop.acme.example/ 200');

    const signed = await call('eng-a', 'POST', `/${reportId}/sign-off`, { note: '同意' });
    expect(signed.status).toBe(200);
    expect(((await signed.json()) as { signedOff: { by: string } }).signedOff.by).toBe('王工');
    expect((await call('eng-a', 'POST', `/${reportId}/sign-off`, {})).status).toBe(409);
    expect((await call('eng-a', 'PUT', `/${reportId}/remarks/${encodeURIComponent(diskFindingId)}`, { remark: 'late' })).status).toBe(409);
    const json = (await (await call('eng-a', 'GET', `/${reportId}/json`)).json()) as { signOff: { name: string; note: string }; findings: Array<{ id: string; remark: string | null }> };
    expect(json.signOff).toMatchObject({ name: '王工', note: '同意' });
    expect(json.findings.find((f) => f.id === diskFindingId)!.remark).toBe(remark);
    // Signed off: now the customer sees it, and the cover names the engineer who signed.
    const list = (await (await call('cust-a', 'GET', '/?customer=acme')).json()) as { reports: Array<{ id: string; signedOff: { by: string } }> };
    expect(list.reports.map((r) => [r.id, r.signedOff.by])).toEqual([[reportId, '王工']]);
    expect((await call('cust-a', 'GET', `/${reportId}/json`)).status).toBe(200);
    expect(await (await call('cust-a', 'GET', `/${reportId}/html`)).text()).toMatch(/<dd id="cover-sign-off">王工 \d{4}-\d{2}-\d{2} \d{2}:\d{2}<\/dd>/);
  });

  test('the calendar shows National Day 2026 done once its report is signed, New Year next', async () => {
    const cal = (await (await call('cust-a', 'GET', '/calendar?customer=acme')).json()) as { inspections: Array<{ key: string; status: string; reportId: string | null }>; upcoming: Array<{ key: string }> };
    expect(cal.inspections.find((i) => i.key === 'national-day-2026')).toMatchObject({ status: 'done', reportId });
    expect(cal.upcoming[0]!.key).toBe('new-year-2027');
  });

  test('the PDF has pages and Chinese text (巡检报告), with the remark and sign-off in it', async () => {
    ensureDebianPackage('chromium', '/usr/bin/chromium');
    ensureDebianPackage('fonts-wqy-microhei', '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc');
    const pdftoppm = ensureDebianPackage('poppler-utils', '/usr/bin/pdftoppm');
    const res = await call('cust-a', 'GET', `/${reportId}/pdf`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const file = join(out.path, 'report.pdf');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    execFileSync(pdftoppm, ['-r', '20', '-png', file, join(out.path, 'page')]);
    const pages = readdirSync(out.path).filter((f) => f.startsWith('page'));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const text = execFileSync('/usr/bin/pdftotext', [file, '-'], { encoding: 'utf8' });
    expect(text).toContain('巡检报告');
    expect(text).toContain('ACME 有限公司');
    expect(text).toContain('已联系客户扩容');
    expect(text).toContain('统计口径');
    // Every page carries the running footer: the confidentiality line and page x of y.
    const pageTexts = text.split('\f').filter((p) => p.trim());
    expect(pageTexts).toHaveLength(pages.length);
    pageTexts.forEach((p, i) => {
      // pdftotext keeps or drops the spaces around CJK text as the glyph positions suggest: compare without them.
      const flat = p.replace(/\s+/g, '');
      expect(flat).toContain('本报告仅供ACME有限公司内部使用');
      expect(flat).toContain(`第${i + 1}页/共${pages.length}页`);
    });
    // Both sign: the engineer, and the customer (确认签字) with a date line.
    expect(text).toContain('服务商工程师签字');
    expect(text).toContain('客户确认签字');
  }, 60_000);

  test('an inspection the contract lacks, or none named, is a 400 with the reason', async () => {
    const wrong = await call('eng-a', 'POST', '/', { customer: 'acme', inspection: 'spring-festival-2026' });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toBe("no inspection 'spring-festival-2026' in acme's contract");
    expect((await call('eng-a', 'POST', '/', { customer: 'acme' })).status).toBe(400);
  });

  test('an English report on request', async () => {
    const res = await call('eng-a', 'POST', '/', { customerId: 'acme', period: PERIOD, lang: 'en' });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { id: string }).id;
    const html = await (await call('eng-a', 'GET', `/${id}/html`)).text();
    expect(html).toContain('Inspection report');
    expect(html).toContain('Accounting method');
    expect(html).not.toContain('巡检报告');
  });

  test('an inspection asks connected agents for a fresh run; the others are "not reachable at inspection"', async () => {
    const web1 = c.enrollHost('acme', 'web1');
    c.enrollHost('acme', 'web2'); // enrolled, never connects
    const agent = await RawAgent.connect(c.wsUrl, web1.agentKey);
    await agent.hello(web1.agentId);
    // The agent answers a run-now with a batch carrying the request id.
    void agent.next((f) => f.type === 'run-now').then((f) => {
      if (f.type !== 'run-now') return;
      const result = { name: 'system.cpu', checkId: 'system.cpu', status: 'WARNING', summary: 'cpu 85%', startedAt: NOW, durationMs: 3, metrics: [] };
      agent.sendRaw(JSON.stringify({ type: 'batch', seq: 1, requestId: f.requestId, results: [result], metrics: [] }));
    });
    const inspection = await runInspection({ db: c.db, hub: c.hub, answers, customerId: 'acme', inspection: { key: 'national-day-2026', period: PERIOD }, now: () => NOW, timeoutMs: 10_000 });
    agent.close();
    const byHost = new Map(inspection.hosts.map((h) => [h.hostId, h]));
    expect(byHost.get(web1.hostId)).toMatchObject({ answered: true, results: [expect.objectContaining({ summary: 'cpu 85%' })] });
    expect(byHost.get(web2Id())).toMatchObject({ answered: false, reason: 'not-connected' });

    // zh of this inspection is signed off above (final): the run goes into an English report.
    const rec = await generateReport({ db: c.db, store: c.store, dataDir: c.dataDir, now: () => NOW }, { customerId: 'acme', lang: 'en', inspection });
    const report = loadReport(c.db, rec);
    expect(report.summary.hostsTotal).toBe(3);
    expect(report.summary.hostsInspected).toBe(1);
    expect(report.summary.hostsUnreachable.sort()).toEqual(['db1', 'web2']);
    expect(report.findings.filter((f) => f.rule === 'unreachable').map((f) => f.hostName).sort()).toEqual(['db1', 'web2']);
    const web1Section = report.hosts.find((h) => h.name === 'web1')!;
    expect(web1Section.checks).toEqual([expect.objectContaining({ name: 'system.cpu', status: 'WARNING', fresh: true })]);
    // Change since the last report: the signed report is of the same inspection; none was made of May Day.
    expect(report.summary.previous).toBeNull();

    // A report asked for through the API uses the same snapshot: the latest run of that inspection.
    const made = await call('eng-a', 'POST', '/', { customer: 'acme', inspection: 'national-day-2026', lang: 'en' });
    expect(made.status).toBe(201);
    const viaApi = ((await (await call('eng-a', 'GET', `/${((await made.json()) as { id: string }).id}`)).json()) as { report: typeof report }).report;
    // Generated again: the next version of that English draft, not a second report.
    expect(viaApi.cover).toMatchObject({ inspectionAt: NOW, periodTo: NOW, inspectionKey: 'national-day-2026', version: 2 });
    expect(viaApi.summary).toMatchObject({ hostsTotal: 3, hostsInspected: 1 });
    expect(viaApi.summary.hostsUnreachable.sort()).toEqual(['db1', 'web2']);

    function web2Id(): string {
      return inspection.hosts.find((h) => h.hostId !== web1.hostId && !h.answered && c.db.prepare('SELECT name FROM hosts WHERE id = ?').pluck().get(h.hostId) === 'web2')!.hostId;
    }
  });
});
