import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createUser } from '../../collector/db/users.js';
import { reportsPlugin } from '../../collector/reports/plugin.js';
import { generateReport, ReportSignedError } from '../../collector/reports/generate.js';
import { getReportRecord, loadReport } from '../../collector/reports/report-store.js';
import { ReportTargetError } from '../../collector/reports/report-window.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { NOW, seedQuarter } from './seed.js';

/**
 * Periods mean what they say, and reports have versions (issue 13, item 7): `period: 2026Q3` alone covers
 * exactly that quarter in Beijing time and is titled by it; generating again makes version n+1 of the draft
 * (remarks follow their findings), older drafts are history, and a signed version is final.
 */

const PASSWORD = 'pw-report-versions';
const auth = { authorization: `Basic ${Buffer.from(`eng-v:${PASSWORD}`).toString('base64')}` };
// 2026-07-01 00:00 and 2026-10-01 00:00 in Beijing (UTC+8).
const Q3_FROM = Date.UTC(2026, 5, 30, 16);
const Q3_TO = Date.UTC(2026, 8, 30, 16);

describe('report periods and versions', () => {
  let c: TestCollector;
  let clock = NOW;
  const deps = () => ({ db: c.db, store: c.store, dataDir: c.dataDir, now: () => clock });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${c.url}/api/reports${path}`, { method, headers: { ...auth, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    c = await startTestCollector({}, { plugins: [reportsPlugin], now: () => clock });
    await seedQuarter(c.db, c.store, 'acme');
    createUser(c.db, { username: 'eng-v', password: PASSWORD, role: 'engineer', serves: ['acme'], displayName: '李工', now: NOW });
  });
  afterAll(async () => {
    await c?.destroy();
  });

  test('a quarter alone covers exactly that quarter, Beijing time, and is titled by it', async () => {
    const made = await call('POST', '', { customer: 'acme', period: '2026Q3' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ scope: 'quarter', version: 1, period: '2026Q3', inspectionKey: null, window: { from: Q3_FROM, to: Q3_TO } });
    const rec = getReportRecord(c.db, made.body.id as string)!;
    const report = loadReport(c.db, rec);
    expect(report.cover).toMatchObject({ scope: 'quarter', periodFrom: Q3_FROM, periodTo: Q3_TO, inspectionKey: null, version: 1 });
    const html = await (await fetch(`${c.url}/api/reports/${rec.id}/html`, { headers: auth })).text();
    expect(html).toContain('<title>巡检报告 ACME 有限公司 2026年第三季度</title>');
    expect(html).toContain('2026-07-01 00:00 – 2026-10-01 00:00');
    expect(html).not.toContain('国庆');
  });

  test('a quarter still running is covered up to now and says so; one not begun is refused', async () => {
    clock = Date.UTC(2026, 10, 15, 2); // 2026-11-15 10:00 Beijing
    try {
      const rec = await generateReport(deps(), { customerId: 'acme', period: '2026Q4', lang: 'en' });
      const r = loadReport(c.db, rec);
      expect([r.cover.periodFrom, r.cover.periodTo]).toEqual([Date.UTC(2026, 8, 30, 16), clock]);
      expect((await fetch(`${c.url}/api/reports/${rec.id}/html`, { headers: auth }).then((x) => x.text()))).toContain('the quarter is not over');
      await expect(generateReport(deps(), { customerId: 'acme', period: '2027Q1', lang: 'en' })).rejects.toThrow(ReportTargetError);
      await expect(generateReport(deps(), { customerId: 'acme', period: '2027Q1', lang: 'en' })).rejects.toThrow('the quarter 2027Q1 has not begun yet (it starts 2027-01-01)');
    } finally {
      clock = NOW;
    }
  });

  test('generating again makes version 2 of the draft: the list shows one report, remarks follow their findings, v1 is history', async () => {
    const first = await call('POST', '', { customer: 'acme', inspection: 'national-day-2026' });
    const v1 = first.body.id as string;
    const finding = loadReport(c.db, getReportRecord(c.db, v1)!).findings.find((f) => f.rule === 'disk')!.id;
    expect((await call('PUT', `/${v1}/remarks/${encodeURIComponent(finding)}`, { remark: '已扩容' })).status).toBe(200);

    const second = await call('POST', '', { customer: 'acme', inspection: 'national-day-2026' });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ version: 2, inspectionKey: 'national-day-2026', scope: 'inspection' });
    const v2 = second.body.id as string;
    expect(loadReport(c.db, getReportRecord(c.db, v2)!).findings.find((f) => f.id === finding)!.remark).toBe('已扩容');

    const list = (await call('GET', '?customer=acme&inspection=national-day-2026')).body.reports as Array<{ id: string; version: number }>;
    expect(list.map((r) => [r.id, r.version])).toEqual([[v2, 2]]);
    const all = (await call('GET', '?customer=acme&inspection=national-day-2026&versions=all')).body.reports as Array<{ id: string; version: number }>;
    expect(all.map((r) => r.version).sort()).toEqual([1, 2]);

    // The old draft is history: neither remarks nor a sign-off land on it.
    const stale = await call('POST', `/${v1}/sign-off`, {});
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe(`version 1 is superseded by version 2 (report ${v2}); work on that one`);
    expect((await call('PUT', `/${v1}/remarks/${encodeURIComponent(finding)}`, { remark: 'x' })).status).toBe(409);
    const html = await (await fetch(`${c.url}/api/reports/${v2}/html`, { headers: auth })).text();
    expect(html).toContain('<dd id="cover-version">第 2 版</dd>');
  });

  test('a signed version is final: generating again is refused with the reason, and nothing changes on it', async () => {
    const list = (await call('GET', '?customer=acme&inspection=national-day-2026')).body.reports as Array<{ id: string }>;
    const v2 = list[0]!.id;
    expect((await call('POST', `/${v2}/sign-off`, { note: 'ok' })).status).toBe(200);
    const again = await call('POST', '', { customer: 'acme', inspection: 'national-day-2026' });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe(`the zh report of national-day-2026 is signed off (version 2, report ${v2}); a signed report never changes and no second one is made beside it`);
    expect(again.body.errorZh).toContain('已签核（第 2 版）');
    await expect(generateReport(deps(), { customerId: 'acme', inspectionKey: 'national-day-2026', lang: 'zh' })).rejects.toThrow(ReportSignedError);
    const finding = loadReport(c.db, getReportRecord(c.db, v2)!).findings[0]!.id;
    const remark = await call('PUT', `/${v2}/remarks/${encodeURIComponent(finding)}`, { remark: 'late' });
    expect([remark.status, remark.body.error]).toEqual([409, 'version 2 of this report is signed off; remarks can no longer change']);
    // Still exactly one report of that inspection and language.
    const after = (await call('GET', '?customer=acme&inspection=national-day-2026')).body.reports as Array<{ id: string; lang: string }>;
    expect(after.filter((r) => r.lang === 'zh').map((r) => r.id)).toEqual([v2]);
  });
});
