import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { createUser } from '../../collector/db/users.js';
import { reportsPlugin } from '../../collector/reports/plugin.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { NOW, seedQuarter } from './seed.js';

/**
 * `patrol report`, `patrol report remark` and `patrol report sign-off` as an engineer types them: the real
 * bin/patrol.js in a child process. Generation reads the collector's data dir; the review goes through the
 * running collector's API as PATROL_USER.
 */

const PASSWORD = 'pw-report-cli';

function patrol(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/patrol.js', ...args], { env: { ...process.env, PATROL_LOG_LEVEL: 'warn', ...env }, timeout: 60_000 }, (error, out, err) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out, err });
    });
  });
}

describe('patrol report on the command line', () => {
  let c: TestCollector;
  let reportId: string;
  const as = (user: string) => ({ PATROL_URL: c.url, PATROL_USER: user, PATROL_PASSWORD: PASSWORD });
  const api = async (user: string, path: string) =>
    (await fetch(`${c.url}/api/reports${path}`, { headers: { authorization: `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString('base64')}` } })).json() as Promise<Record<string, unknown>>;

  beforeAll(async () => {
    c = await startTestCollector({}, { plugins: [reportsPlugin], now: () => NOW });
    await seedQuarter(c.db, c.store, 'acme');
    createUser(c.db, { username: 'eng-a', password: PASSWORD, role: 'engineer', serves: ['acme'], displayName: '王工', now: NOW });
    createUser(c.db, { username: 'cust-a', password: PASSWORD, role: 'customer', customerId: 'acme', now: NOW });
  });
  afterAll(async () => {
    await c?.destroy();
  });

  test('generates the report of a named inspection from the data dir, with its window', async () => {
    const r = await patrol(['report', '--customer', 'acme', '--inspection', 'national-day-2026', '--lang', 'en', '--data-dir', c.dataDir]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // May Day inspection (2026-04-24 09:00 Beijing) to National Day's (2026-09-24 09:00 Beijing).
    const m = /^report (\S+): ACME 有限公司 national-day-2026 version 1 \(2026-04-24T01:00:00.000Z \.\. 2026-09-24T01:00:00.000Z\), health score \d+, \d+ findings$/m.exec(r.out);
    expect(m, r.out).not.toBeNull();
    reportId = m![1]!;
    expect(r.out).toContain(`${c.dataDir}/reports/acme/${reportId}/report.html`);
    // A quarter alone is exactly that quarter in Beijing time (2026-07-01 00:00 to 2026-10-01 00:00).
    const quarter = await patrol(['report', '--customer', 'acme', '--period', '2026Q3', '--lang', 'en', '--data-dir', c.dataDir]);
    expect(quarter.out).toMatch(/^report \S+: ACME 有限公司 2026Q3 version 1 \(2026-06-30T16:00:00.000Z \.\. 2026-09-30T16:00:00.000Z\), health score \d+, \d+ findings$/m);
    const bad = await patrol(['report', '--customer', 'acme', '--period', 'Q3', '--data-dir', c.dataDir]);
    expect([bad.code, bad.err]).toEqual([2, 'patrol report: --period must be a quarter like 2026Q4\n']);
  }, 60_000);

  test('remark and sign-off as the engineer; the customer may do neither; a signed report stays as signed', async () => {
    const report = (await api('eng-a', `/${reportId}`)) as { report: { findings: Array<{ id: string; rule: string }> } };
    const finding = report.report.findings.find((f) => f.rule === 'disk')!.id;

    const refused = await patrol(['report', 'remark', reportId, finding, 'not', 'mine'], as('cust-a'));
    expect([refused.code, refused.err]).toEqual([1, 'patrol report: HTTP 403: only engineers and admins can do this\n']);

    const remark = await patrol(['report', 'remark', reportId, finding, '已联系客户扩容', '/data'], as('eng-a'));
    expect([remark.code, remark.out]).toEqual([0, `remark saved on ${finding} of report ${reportId}\n`]);
    const unknown = await patrol(['report', 'remark', reportId, 'no-such-finding', 'x'], as('eng-a'));
    expect([unknown.code, unknown.err]).toEqual([1, "patrol report: HTTP 404: no finding 'no-such-finding' in this report\n"]);

    const signed = await patrol(['report', 'sign-off', reportId, '--note', '同意发送'], as('eng-a'));
    expect(signed.code).toBe(0);
    expect(signed.out).toBe(`report ${reportId} signed off by 王工 at ${new Date(NOW).toISOString()}\n`);
    const again = await patrol(['report', 'sign-off', reportId], as('eng-a'));
    expect([again.code, again.err]).toEqual([1, 'patrol report: HTTP 409: version 1 of this report is signed off; it cannot be signed off again\n']);

    // The customer now sees it, with the remark, the sign-off and the engineer on the cover.
    const seen = (await api('cust-a', `/${reportId}/json`)) as { cover: { engineer: string }; signOff: { name: string; note: string }; findings: Array<{ id: string; remark: string | null }> };
    expect(seen.signOff).toMatchObject({ name: '王工', note: '同意发送' });
    expect(seen.cover.engineer).toBe('王工');
    expect(seen.findings.find((f) => f.id === finding)!.remark).toBe('已联系客户扩容 /data');
  }, 90_000);
});
