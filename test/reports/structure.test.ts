import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '../../collector/db/database.js';
import { sqliteMetricsStore } from '../../collector/metrics/sqlite-store.js';
import type { MetricsStore } from '../../collector/metrics/store.js';
import type { Db } from '../../collector/db/database.js';
import { generateReport } from '../../collector/reports/generate.js';
import { loadReport } from '../../collector/reports/report-store.js';
import { renderReportHtml } from '../../collector/reports/render-html.js';
import { lineChart } from '../../collector/reports/svg.js';
import type { InspectionReport } from '../../collector/reports/model.js';
import { tempDir } from '../helpers/temp-dir.js';
import { DEMO_CUSTOMER, DEMO_NOW, DEMO_PERIOD, seedDemoFleet, seedDemoProvider } from './demo-fleet.js';

/**
 * The structure a customer signs (issue 13, item 2), on the demo fleet: cover with the provider and contract,
 * an executive summary with the risks that matter and open cases, a checklist per host with standards and
 * conclusions, one finding per cause with advice of its own, one source for unreachable time and
 * availability, charts that draw for any window, and the SNMP device's figures.
 */

let db: Db;
let store: MetricsStore;
const dir = tempDir('report-structure');
const reports: Partial<Record<'zh' | 'en', InspectionReport>> = {};
const html: Partial<Record<'zh' | 'en', string>> = {};

beforeAll(async () => {
  db = openDatabase(join(dir.path, 'patrol.db'));
  store = sqliteMetricsStore({ path: join(dir.path, 'metrics.db'), retentionDays: 100_000, now: () => DEMO_NOW });
  await store.init();
  await seedDemoFleet(db, store);
  seedDemoProvider(db);
  for (const lang of ['zh', 'en'] as const) {
    const rec = await generateReport({ db, store, dataDir: dir.path, now: () => DEMO_NOW }, { customerId: DEMO_CUSTOMER, period: DEMO_PERIOD, lang, engineer: '李明' });
    reports[lang] = loadReport(db, rec);
    html[lang] = renderReportHtml(reports[lang]!);
  }
}, 120_000);
afterAll(async () => {
  await store?.close();
  db?.close();
  dir.remove();
});

describe('the inspection report a customer signs', () => {
  test('the cover names provider, customer, contract, period, engineer, contact and date', () => {
    const h = html.zh!;
    const dd = (id: string) => new RegExp(`<dd id="${id}">([^<]*)</dd>`).exec(h)?.[1];
    expect(dd('cover-provider')).toBe('云巡信息技术服务有限公司');
    expect(dd('cover-contract')).toBe('YX-WB-2026-0318');
    expect(dd('cover-window')).toBe('2026-07-01 00:00 – 2026-10-01 00:00');
    expect(dd('cover-engineer')).toBe('李明');
    expect(dd('cover-contact')).toBe('陈建国 021-5080-1234');
    expect(dd('cover-generated')).toBe('2026-10-08');
    expect(h).toMatch(/<img alt="" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+">/);
    expect(h).toContain('服务热线: 400-820-8899');
    for (const heading of ['目录', '一、执行摘要', '二、主机巡检明细', '三、本期故障工单', '四、发现问题与建议', '五、附录：指标明细', '六、签字确认']) expect(h).toContain(`>${heading}<`);
  });

  test('an unreachable host is one finding, whose minutes and availability are the ones of its section', () => {
    const r = reports.zh!;
    const web2 = r.hosts.find((h) => h.name === 'web2')!;
    const mine = r.findings.filter((f) => f.hostName === 'web2');
    expect(mine.map((f) => f.rule)).toEqual(['unreachable']);
    // Lost 2026-09-22 14:33 (ticket opened 3 min after the last data), still lost at the quarter's end.
    const down = (Date.UTC(2026, 8, 30, 16) - (Date.UTC(2026, 8, 22, 6, 30) + 3 * 60_000)) / 60_000;
    expect(web2.downMinutes).toBeCloseTo(down, 6);
    const span = (Date.UTC(2026, 8, 30, 16) - Date.UTC(2026, 5, 30, 16)) / 60_000;
    expect(web2.availabilityPct).toBeCloseTo(100 * (1 - down / span), 9);
    expect(mine[0]!.detail).toContain(`本期不可达累计 ${Math.round(down)} 分钟，可用性 ${web2.availabilityPct!.toFixed(3)}%`);
    expect(r.summary.hostsUnreachable).toEqual(['web2']);
    // Its checks are not judged on stale results.
    expect(new Set(web2.checklist.map((c) => c.conclusion))).toEqual(new Set(['not-checked']));
    // The other hosts were never lost: no unreachable minutes, full availability.
    for (const h of r.hosts.filter((x) => x.name !== 'web2')) expect([h.name, h.downMinutes, h.availabilityPct]).toEqual([h.name, 0, 100]);
  });

  test('one finding per cause, each with advice of its own', () => {
    const r = reports.zh!;
    expect(r.findings.map((f) => f.recommendation).join('\n')).not.toContain('按检查项提示处理');
    // web1's CPU: the p95 rule and the check's WARNING are one cause.
    expect(r.findings.filter((f) => f.hostName === 'web1' && /CPU/.test(f.title))).toHaveLength(1);
    // The certificate is named once (by its rule), not again as a check not OK.
    expect(r.findings.filter((f) => f.hostName === 'web1' && f.id.endsWith(':shop'))).toHaveLength(1);
    const ids = r.findings.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(r.findings.map((f) => f.recommendation)).size).toBe(r.findings.length);
  });

  test('each host has a checklist: item, standard from its thresholds, result in the language, conclusion', () => {
    const db1 = reports.zh!.hosts.find((h) => h.name === 'db1')!;
    const row = (checkId: string) => db1.checklist.find((c) => c.checkId === checkId)!;
    expect(row('system.disk')).toMatchObject({ category: 'system', item: '磁盘空间与 inode', conclusion: 'attention', result: '/data 86.3% 超过阈值' });
    expect(row('system.disk').standard).toContain('< 80% 正常');
    expect(row('system.file')).toMatchObject({ category: 'backup', conclusion: 'abnormal' });
    expect(row('system.file').standard).toBe('备份文件存在，更新时间 < 26 小时（≥ 50 小时为异常）');
    expect(row('db.postgres')).toMatchObject({ category: 'database', conclusion: 'normal' });
    const web1 = reports.en!.hosts.find((h) => h.name === 'web1')!;
    expect(web1.checklist.find((c) => c.checkId === 'network.http')!.standard).toBe('answers within 1000 ms, certificate valid > 14 days');
    // 正常 / 关注 / 异常 never wrap: the conclusion cells say so.
    expect(html.zh!).toMatch(/<td class="nw b warn">关注<\/td>/);
    expect(html.zh!).toMatch(/<td class="nw ok">正常<\/td>/);
    expect(html.zh!).not.toMatch(/undefined|NaN/);
    expect(html.en!).not.toMatch(/undefined|NaN/);
  });

  test('the executive summary: health, at most five risks that matter, change since last time, open cases', () => {
    const r = reports.zh!;
    expect(r.summary.openCases.map((c) => [c.hostName, c.state])).toEqual([['web2', 'acknowledged']]);
    const top = /<table id="top-risks">([\s\S]*?)<\/table>/.exec(html.zh!)![1]!;
    const rows = top.match(/<tr>/g)!.length - 1;
    expect(rows).toBeGreaterThanOrEqual(3);
    expect(rows).toBeLessThanOrEqual(5);
    expect(top).not.toContain('>低<');
    expect(html.zh!).toContain('无上期报告');
  });

  test('the SNMP device section has its figures from the fields the check writes', () => {
    const sw1 = reports.zh!.hosts.find((h) => h.name === 'sw1')!;
    // cpu_load_pct = 18 + (hour mod 6): 18..23, mean 20.5; one restart on day 40.
    expect(sw1.networkDevices[0]!.figures).toMatchObject({ 'up.mean': 1, 'cpu_load_pct.max': 23, 'mem_used_pct.max': 41, 'restarted.max': 1 });
    expect(sw1.networkDevices[0]!.figures['cpu_load_pct.mean']).toBeCloseTo(20.5, 1);
    expect(html.zh!).toContain('CPU 负载（最大）：23.0%');
  });
});

describe('charts draw for any window', () => {
  const opts = { from: Date.UTC(2026, 8, 30, 16), to: Date.UTC(2026, 9, 1, 16), title: 't', emptyText: '本期无数据' };
  test('one daily point is drawn as a point', () => {
    const svg = lineChart([{ points: [{ time: Date.UTC(2026, 8, 30, 16), value: 40 }], color: '#123456', label: 'cpu' }], { ...opts, yMax: 100 });
    expect(svg).toMatch(/<circle cx="[\d.]+" cy="[\d.]+" r="3.5" fill="#123456"\/>/);
    expect(svg).not.toContain('本期无数据');
  });
  test('an empty chart keeps its frame and says why', () => {
    const svg = lineChart([{ points: [], color: '#123456', label: 'cpu' }], { ...opts, yMax: 100 });
    expect(svg).toContain('>本期无数据</text>');
    expect(svg).toContain('<rect');
  });
});
