import { afterAll, beforeAll, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import { openCase } from '../../collector/tickets/open-case.js';
import { acknowledge, confirmClose, recordOnsite, resolve } from '../../collector/tickets/ticket-actions.js';
import { rateCase } from '../../collector/tickets/case-actions.js';
import { markRecovered, openTicket } from '../../collector/tickets/lifecycle.js';
import { getTicket } from '../../collector/tickets/ticket-store.js';
import { visibleCustomerIds, type User } from '../../collector/db/users.js';
import { buildMonthlyReport, type MonthlyReport } from '../../collector/service-report/model.js';
import { renderMonthlyCsv, renderMonthlyHtml, renderMonthlyXlsx } from '../../collector/service-report/render.js';
import { makeWorld, MIN, T0, type World } from '../tickets/world.js';

const DAY = 86_400_000;
let world: World;
let report: MonthlyReport;

const at = (t: number, user: User) => ({ db: world.db, user, customerIds: visibleCustomerIds(world.db, user), now: t });

/**
 * March 2026 for ACME, four cases whose figures are worked out by hand below:
 *   A phone P1 on db01: answered after 20 min (target 30), on site after 50 (60), resolved after 200 (240); rated 5.
 *   B e-mail P2: answered after 45 (30: 15 late), resolved after 600 (480: 120 late); rated 3.
 *   C monitoring, db01 unreachable P1: answered after 10, recovered after 120 min (down 120 min).
 *   D portal P3, proposed by the customer: nobody answered it by the end of the month.
 */
beforeAll(() => {
  world = makeWorld();
  const { l1, acmeCustomer } = world.users;
  const open = (t: number, user: User, input: Parameters<typeof openCase>[1]) => {
    const r = openCase(at(t, user), input);
    if (!r.ok) throw new Error(r.message);
    return r.ticket;
  };
  const a = open(T0, l1, { customerId: 'acme', channel: 'phone', caller: { name: '张三' }, title: 'ERP down', hostId: world.acmeHost.id, severity: 'P1' });
  acknowledge(at(T0 + 20 * MIN, l1), a.id);
  recordOnsite(at(T0 + 50 * MIN, l1), a.id);
  resolve(at(T0 + 200 * MIN, l1), a.id);
  confirmClose(at(T0 + 300 * MIN, acmeCustomer), a.id);
  rateCase(at(T0 + 301 * MIN, acmeCustomer), a.id, 5, 'fast');

  const b0 = T0 + DAY;
  const b = open(b0, l1, { customerId: 'acme', channel: 'email', caller: { name: 'Li', email: 'li@acme.test' }, title: 'Mail slow', severity: 'P2' });
  acknowledge(at(b0 + 45 * MIN, l1), b.id);
  resolve(at(b0 + 600 * MIN, l1), b.id);
  confirmClose(at(b0 + 700 * MIN, acmeCustomer), b.id);
  rateCase(at(b0 + 701 * MIN, acmeCustomer), b.id, 3, 'slow answer');

  const c0 = T0 + 2 * DAY;
  const c = openTicket(world.db, { host: world.acmeHost, kind: 'host-unreachable', checkName: null, checkId: null, status: 'CRITICAL', summary: 'silent', severity: 'P1', flapping: false, now: c0 });
  acknowledge(at(c0 + 10 * MIN, l1), c.id);
  markRecovered(world.db, getTicket(world.db, c.id, { now: c0 + 120 * MIN })!, c0 + 120 * MIN, 'back');

  open(T0 + 3 * DAY, acmeCustomer, { customerId: 'acme', channel: 'portal', caller: { name: 'IT' }, title: 'VPN drops', severity: 'P3' });
  report = buildMonthlyReport(world.db, 'acme', '2026-03', Date.UTC(2026, 3, 2))!;
});
afterAll(() => world?.db.close());

test('the monthly figures match the ones worked out by hand', () => {
  expect(report.cases.total).toBe(4);
  expect(report.cases.byChannel).toEqual({ phone: 1, email: 1, onsite: 0, portal: 1, monitoring: 1 });
  expect(report.cases.bySeverity).toEqual({ P1: 2, P2: 1, P3: 1, P4: 0 });
  // response: A met, B missed, C met, D missed (not answered): 2 of 4
  expect(report.sla.response).toEqual({ judged: 4, met: 2, pct: 50 });
  // on site: only A recorded an arrival, in time
  expect(report.sla.onsite).toEqual({ judged: 1, met: 1, pct: 100 });
  // restore: A 200 <= 240, B 600 > 480, C 120 <= 240, D not restored and due on 6 March: 2 of 4
  expect(report.sla.restore).toEqual({ judged: 4, met: 2, pct: 50 });
  // D: due 5 March 12:00 (response) and 6 March 10:00 (restore) Beijing; the month ends 1 April 00:00
  expect(report.misses.map((m) => [m.title, m.target, m.lateMin, m.doneAt === null])).toEqual([
    ['Mail slow', 'response', 15, false],
    ['Mail slow', 'restore', 120, false],
    ['VPN drops', 'response', 26 * 1440 + 12 * 60, true],
    ['VPN drops', 'restore', 25 * 1440 + 14 * 60, true],
  ]);
  expect(report.mttaMin).toBe(25); // (20 + 45 + 10) / 3
  expect(report.mttrMin).toBe(306.7); // (200 + 600 + 120) / 3 = 306.67
  // db01 down 120 min of March's 44,640: 99.73 %
  expect(report.availability).toEqual([{ hostId: world.acmeHost.id, hostName: 'db01', downMin: 120, pct: 99.73 }]);
  expect(report.satisfaction).toEqual({ count: 2, average: 4, ratings: [{ number: expect.any(String), score: 5, remark: 'fast' }, { number: expect.any(String), score: 3, remark: 'slow answer' }] });
  // Another customer's month is its own.
  expect(buildMonthlyReport(world.db, 'beta', '2026-03', Date.UTC(2026, 3, 2))!.cases.total).toBe(0);
});

test('the same numbers in zh/en HTML, CSV and an Excel workbook', async () => {
  const zh = renderMonthlyHtml(report, 'zh');
  expect(zh).toContain('月度服务报告');
  expect(zh).toContain('<td>响应</td><td>4</td><td>2</td><td>50%</td>');
  expect(zh).toContain('99.73%');
  expect(renderMonthlyHtml(report, 'en')).toContain('<td>response</td><td>4</td><td>2</td><td>50%</td>');
  const csv = renderMonthlyCsv(report, 'en');
  expect(csv).toContain('sla,restore,4,2,50%');
  expect(csv).toContain('availability,db01,120,99.73%');
  expect(csv).toContain('ratings,');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load((await renderMonthlyXlsx(report, 'en')) as unknown as ExcelJS.Buffer);
  const sla = book.getWorksheet('SLA')!;
  expect(sla.getRow(2).values).toEqual([undefined, 'response', 4, 2, 50]);
  expect(book.getWorksheet('Availability')!.getRow(2).values).toEqual([undefined, 'db01', 120, 99.73]);
  expect(book.getWorksheet('Summary')!.getRow(4).values).toEqual([undefined, 'Mean time to acknowledge (MTTA, min)', 25]);
});
