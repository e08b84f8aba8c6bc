import { afterAll, afterEach, beforeEach, expect, test } from 'vitest';
import { openDatabase, type Db } from '../../collector/db/database.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { setContract } from '../../collector/contracts/contract-store.js';
import { zonedToUtc } from '../../shared/zoned-time.js';
import { inspectionsToRun } from '../../collector/reports/schedule.js';
import { customerInspectionCalendar } from '../../collector/reports/customer-calendar.js';
import { saveReport } from '../../collector/reports/report-store.js';
import type { InspectionReport } from '../../collector/reports/model.js';
import { tempDir } from '../helpers/temp-dir.js';

const bj = (m: number, d: number, h: number) => zonedToUtc(2026, m, d, h, 0, 'Asia/Shanghai');

let db: Db;
const dir = tempDir('report-schedule');
beforeEach(() => {
  db = openDatabase(':memory:');
  ensureCustomer(db, 'acme', 'ACME', 0);
  ensureCustomer(db, 'globex', 'Globex', 0);
  // Globex bought Spring Festival and a custom date instead of National Day.
  setContract(db, 'globex', { inspections: ['new-year', 'spring-festival', 'may-day', { date: '2026-09-10', name: 'audit' }] }, 0);
});
afterEach(() => db.close());
afterAll(() => dir.remove());

test('the inspection starts at 09:00 on its day (a week before the holiday) and runs once per period', () => {
  // National Day 2026 -> inspection 2026-09-24 for acme (default contract).
  expect(inspectionsToRun({ db }, bj(9, 24, 8))).toEqual([]);
  const due = inspectionsToRun({ db }, bj(9, 24, 9));
  expect(due.map((d) => [d.customerId, d.inspection.key, d.inspection.period])).toEqual([['acme', 'national-day-2026', '2026Q3']]);

  const report = { cover: { customerId: 'acme', period: '2026Q3', generatedAt: bj(9, 24, 9) }, lang: 'zh', summary: { healthScore: 100 } } as unknown as InspectionReport;
  saveReport(db, dir.path, { report, inspectionId: null, html: '<p>x</p>' });
  expect(inspectionsToRun({ db }, bj(9, 24, 10))).toEqual([]);
});

test('a custom inspection date runs on that day; past the report week a missed inspection is no longer started', () => {
  expect(inspectionsToRun({ db }, bj(9, 10, 12)).map((d) => [d.customerId, d.inspection.key])).toEqual([['globex', 'custom-2026-09-10']]);
  expect(inspectionsToRun({ db }, bj(9, 18, 12)).filter((d) => d.customerId === 'globex')).toEqual([]);
});

test("the contract's inspectionDaysBefore moves the inspection day for the scheduler and the calendar alike", () => {
  setContract(db, 'acme', { inspectionDaysBefore: 10 }, 0);
  // National Day 2026 - 10 days = Sep 21.
  expect(inspectionsToRun({ db }, bj(9, 21, 8)).filter((d) => d.customerId === 'acme')).toEqual([]);
  expect(inspectionsToRun({ db }, bj(9, 21, 9)).filter((d) => d.customerId === 'acme').map((d) => [d.inspection.key, d.inspection.inspectionDate])).toEqual([['national-day-2026', '2026-09-21']]);
  const entry = customerInspectionCalendar(db, 'acme', bj(9, 22, 12)).find((e) => e.key === 'national-day-2026');
  expect(entry).toMatchObject({ inspectionDate: '2026-09-21', reportDueDate: '2026-09-28', status: 'due' });
});

test('two inspections in one quarter each run: a report of the first does not count for the second', () => {
  // 2027: Spring Festival Feb 6 -> Jan 30; Two Sessions Mar 3 -> Feb 24 (both 2027Q1).
  setContract(db, 'acme', { inspections: ['spring-festival', 'two-sessions'] }, 0);
  const at = (m: number, d: number, h: number) => zonedToUtc(2027, m, d, h, 0, 'Asia/Shanghai');
  const report = (key: string, generatedAt: number) =>
    ({ cover: { customerId: 'acme', period: '2027Q1', inspectionKey: key, periodFrom: 0, periodTo: generatedAt, generatedAt }, lang: 'zh', summary: { healthScore: 100 } }) as unknown as InspectionReport;
  saveReport(db, dir.path, { report: report('spring-festival-2027', at(1, 30, 9)), inspectionId: null, html: '<p>x</p>' });
  expect(inspectionsToRun({ db }, at(1, 30, 10)).filter((d) => d.customerId === 'acme')).toEqual([]);
  expect(inspectionsToRun({ db }, at(2, 24, 9)).filter((d) => d.customerId === 'acme').map((d) => d.inspection.key)).toEqual(['two-sessions-2027']);
});

test('a customer taken on after an inspection started gets no run of it (the calendar does not owe it); one taken on before it does', () => {
  // National Day 2026: inspection 2026-09-24 at 09:00 Beijing.
  ensureCustomer(db, 'late', 'Late', bj(9, 25, 15));
  ensureCustomer(db, 'afternoon', 'Afternoon', bj(9, 24, 15));
  ensureCustomer(db, 'morning', 'Morning', bj(9, 24, 8));
  const mine = ['late', 'afternoon', 'morning'];
  const run = inspectionsToRun({ db }, bj(9, 26, 12)).filter((d) => mine.includes(d.customerId));
  expect(run.map((d) => [d.customerId, d.inspection.key])).toEqual([['morning', 'national-day-2026']]);
  for (const c of ['late', 'afternoon']) expect(customerInspectionCalendar(db, c, bj(9, 26, 12)).map((e) => e.key)).not.toContain('national-day-2026');
  expect(customerInspectionCalendar(db, 'morning', bj(9, 26, 12)).find((e) => e.key === 'national-day-2026')).toMatchObject({ status: 'due' });
});
