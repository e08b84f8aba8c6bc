import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../collector/db/database.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createHost } from '../../collector/db/hosts.js';
import { sqliteMetricsStore } from '../../collector/metrics/sqlite-store.js';
import type { MetricsStore } from '../../collector/metrics/store.js';
import { setContract } from '../../collector/contracts/contract-store.js';
import { zonedToUtc } from '../../shared/zoned-time.js';
import { insertTicket } from '../../collector/tickets/ticket-store.js';
import { addDays, addMonths, inspectionsOfYear, localDate, nominalWindow, type InspectionDate } from '../../collector/reports/holiday-calendar.js';
import { customerInspectionCalendar } from '../../collector/reports/customer-calendar.js';
import { generateReport } from '../../collector/reports/generate.js';
import { InspectionAnswers, runInspection } from '../../collector/reports/inspection.js';
import { listReports, loadReport, signOff } from '../../collector/reports/report-store.js';
import { ReportTargetError } from '../../collector/reports/report-window.js';
import type { Inspection } from '../../collector/contracts/contract-store.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Beijing wall-clock time -> epoch ms. */
const bj = (y: number, m: number, d: number, h = 0, min = 0) => zonedToUtc(y, m, d, h, min, 'Asia/Shanghai');
const DEFAULT_CONTRACT: Inspection[] = ['new-year', 'two-sessions', 'may-day', 'national-day'];

/** The report windows of every inspection whose holiday falls in the years given. */
function windowsOf(inspections: Inspection[], years: number[], daysBefore = 7) {
  return years
    .flatMap((y) => inspectionsOfYear(inspections, y, daysBefore))
    .map((d) => ({ key: d.key, ...nominalWindow(inspections, d, { daysBefore }) }));
}

/** For each day of a year: the keys of the windows holding its 00:00, 09:00 (an inspection's start) and 23:59. */
function coverage(inspections: Inspection[], year: number, daysBefore = 7): Map<string, string[]> {
  const windows = windowsOf(inspections, [year - 1, year, year + 1, year + 2], daysBefore);
  const out = new Map<string, string[]>();
  for (let day = `${year}-01-01`; day < `${year + 1}-01-01`; day = addDays(day, 1)) {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    for (const t of [bj(y, m, d), bj(y, m, d, 9), bj(y, m, d, 23, 59)]) {
      const holding = windows.filter((w) => w.from <= t && t < w.to).map((w) => w.key);
      out.set(`${day}@${localDate(t)}${new Date(t).toISOString().slice(10, 16)}`, holding);
    }
  }
  return out;
}

describe('report windows on the calendar', () => {
  test('with the default contract every moment of 2026 falls in exactly one report window', () => {
    const cov = coverage(DEFAULT_CONTRACT, 2026);
    expect(cov.size).toBe(365 * 3);
    const wrong = [...cov].filter(([, keys]) => keys.length !== 1);
    expect(wrong).toEqual([]);
  });

  test('the spans the quarter-based reports never covered belong to the next inspection', () => {
    const keyAt = (t: number) => windowsOf(DEFAULT_CONTRACT, [2026, 2027]).filter((w) => w.from <= t && t < w.to).map((w) => w.key);
    expect(keyAt(bj(2026, 3, 15, 12))).toEqual(['may-day-2026']); // Feb 24 - Apr 1
    expect(keyAt(bj(2026, 6, 1, 12))).toEqual(['national-day-2026']); // Apr 24 - Jul 1
    expect(keyAt(bj(2026, 9, 28, 12))).toEqual(['new-year-2027']); // Sep 24 - Oct 1
    expect(keyAt(bj(2026, 12, 28, 12))).toEqual(['two-sessions-2027']); // Dec 25 - Jan 1
    // The May Day report covers from the Two Sessions inspection to its own, both at 09:00.
    const mayDay = windowsOf(DEFAULT_CONTRACT, [2026]).find((w) => w.key === 'may-day-2026')!;
    expect([mayDay.from, mayDay.to]).toEqual([bj(2026, 2, 24, 9), bj(2026, 4, 24, 9)]);
  });

  test('two inspections in one quarter, and 10 days before each holiday: still every moment in exactly one window', () => {
    const contract: Inspection[] = ['spring-festival', 'two-sessions', 'may-day', 'national-day', { date: '2027-08-15', name: 'audit' }];
    for (const year of [2026, 2027, 2028]) {
      const wrong = [...coverage(contract, year, 10)].filter(([, keys]) => keys.length !== 1);
      expect({ year, wrong }).toEqual({ year, wrong: [] });
    }
    // 2027: Spring Festival Feb 6 -> inspected Jan 27; Two Sessions Mar 3 -> Feb 21; both in 2027Q1.
    const q1 = windowsOf(contract, [2027], 10).filter((w) => w.key === 'spring-festival-2027' || w.key === 'two-sessions-2027');
    expect(q1.map((w) => [w.key, w.from, w.to])).toEqual([
      ['spring-festival-2027', bj(2026, 9, 21, 9), bj(2027, 1, 27, 9)],
      ['two-sessions-2027', bj(2027, 1, 27, 9), bj(2027, 2, 21, 9)],
    ]);
  });

  test("a contract's first report covers the 3 months before its inspection", () => {
    const d = inspectionsOfYear(DEFAULT_CONTRACT, 2027, 7).find((i) => i.key === 'new-year-2027') as InspectionDate;
    // Taken on 2026-11-01: the National Day inspection before (Sep 24) was never owed.
    expect(nominalWindow(DEFAULT_CONTRACT, d, { sinceDate: '2026-11-01' })).toMatchObject({ first: true, from: bj(2026, 9, 25, 9), to: bj(2026, 12, 25, 9) });
    expect(nominalWindow(DEFAULT_CONTRACT, d, { sinceDate: '2026-01-01' })).toMatchObject({ first: false, from: bj(2026, 9, 24, 9) });
    expect(addMonths('2026-05-31', -3)).toBe('2026-02-28');
    expect(addMonths('2026-01-15', -3)).toBe('2025-10-15');
  });
});

describe('reports of two inspections in one quarter (a real SQLite store and database)', () => {
  const dir = tempDir('report-window');
  let db: Db;
  let store: MetricsStore;
  let clock = 0;
  const deps = () => ({ db, store, dataDir: dir.path, now: () => clock });
  const ticketAt = (hostId: string, title: string, openedAt: number) =>
    insertTicket(db, {
      customerId: 'acme',
      hostId,
      kind: 'check',
      checkName: 'system.disk',
      checkId: 'system.disk',
      summary: '',
      status: 'CRITICAL',
      severity: 'P3',
      flapping: false,
      problemKey: `check:${title}`,
      title,
      openedAt,
      responseDueAt: openedAt + 3_600_000,
      onsiteDueAt: openedAt + 7_200_000,
      restoreDueAt: openedAt + 86_400_000,
    });

  beforeEach(async () => {
    db = openDatabase(join(dir.path, `patrol-${Math.random().toString(36).slice(2)}.db`));
    store = sqliteMetricsStore({ path: join(dir.path, `metrics-${Math.random().toString(36).slice(2)}.db`), retentionDays: 100_000, now: () => clock });
    await store.init();
    ensureCustomer(db, 'acme', 'ACME', bj(2026, 1, 1));
    // Spring Festival 2027 (Feb 6) and Two Sessions (Mar 3), a week before each: Jan 30 and Feb 24, both in 2027Q1.
    setContract(db, 'acme', { inspections: ['spring-festival', 'two-sessions', 'may-day', 'national-day'] }, bj(2026, 1, 1));
    const host = createHost(db, { customerId: 'acme', name: 'web1', kind: 'agent', now: bj(2026, 1, 1) });
    ticketAt(host.id, 'before the Spring Festival inspection', bj(2027, 1, 20, 10));
    ticketAt(host.id, 'between the two', bj(2027, 2, 10, 10));
  });
  afterEach(async () => {
    await store.close();
    db.close();
  });
  afterAll(() => dir.remove());

  test('each inspection gets its own report, window and calendar status; signing the first leaves the second due', async () => {
    // The Spring Festival inspection runs (no hosts answer: none is connected) and its report is made.
    clock = bj(2027, 1, 30, 9, 1);
    const run = await runInspection({ db, hub: { runNow: () => false }, answers: new InspectionAnswers(), customerId: 'acme', inspection: { key: 'spring-festival-2027', period: '2027Q1' }, now: () => clock });
    clock = bj(2027, 1, 30, 9, 5);
    const spring = await generateReport(deps(), { customerId: 'acme', inspectionKey: 'spring-festival-2027', lang: 'en' });
    const springDoc = loadReport(db, spring);
    expect(spring).toMatchObject({ inspectionKey: 'spring-festival-2027', period: '2027Q1', inspectionId: run.id });
    // From the National Day inspection (2026-09-24 09:00) to this run; the ticket of Jan 20 is in it.
    expect(springDoc.cover).toMatchObject({ periodFrom: bj(2026, 9, 24, 9), periodTo: bj(2027, 1, 30, 9, 1), inspectionAt: run.startedAt, holiday: 'spring-festival' });
    expect(springDoc.tickets.items.map((t) => t.title)).toEqual(['before the Spring Festival inspection']);
    expect(signOff(db, spring, { id: null, name: 'Li' }, '', clock)).toEqual({ ok: true });

    // Feb 26: the Two Sessions inspection (Feb 24) is still due although the quarter's first report is signed.
    clock = bj(2027, 2, 26, 12);
    const cal = new Map(customerInspectionCalendar(db, 'acme', clock).map((e) => [e.key, e]));
    expect(cal.get('spring-festival-2027')).toMatchObject({ status: 'done', reportId: spring.id });
    expect(cal.get('two-sessions-2027')).toMatchObject({ status: 'due', reportId: null });

    const sessions = await generateReport(deps(), { customerId: 'acme', inspectionKey: 'two-sessions-2027', lang: 'en' });
    const sessionsDoc = loadReport(db, sessions);
    expect(sessions.inspectionKey).toBe('two-sessions-2027');
    // It starts where the Spring Festival report ended and ends at its own (scheduled, no run recorded) inspection.
    expect(sessionsDoc.cover).toMatchObject({ periodFrom: bj(2027, 1, 30, 9, 1), periodTo: bj(2027, 2, 24, 9), inspectionAt: null, firstReport: false });
    expect(sessionsDoc.tickets.items.map((t) => t.title)).toEqual(['between the two']);
    // "Change since the last report" compares with the Spring Festival report, not with a quarter.
    expect(sessionsDoc.summary.previous).toMatchObject({ reportId: spring.id, inspectionKey: 'spring-festival-2027' });
    expect(listReports(db, { customerId: 'acme', inspectionKey: 'two-sessions-2027' }).map((r) => r.id)).toEqual([sessions.id]);
  });

  test('a report stored before inspections had keys reads as the inspection of its quarter it was made for', async () => {
    clock = bj(2027, 2, 25, 10);
    const rec = await generateReport(deps(), { customerId: 'acme', inspectionKey: 'two-sessions-2027', lang: 'zh' });
    // What an old row looks like: a quarter and no key or window.
    db.prepare('UPDATE reports SET inspection_key = NULL, window_from = NULL, window_to = NULL WHERE id = ?').run(rec.id);
    expect(listReports(db, { customerId: 'acme' })[0]).toMatchObject({ id: rec.id, inspectionKey: 'two-sessions-2027', windowTo: null });
    signOff(db, listReports(db, { customerId: 'acme' })[0]!, { id: null, name: 'Li' }, '', clock);
    const cal = new Map(customerInspectionCalendar(db, 'acme', clock).map((e) => [e.key, e.status]));
    expect([cal.get('spring-festival-2027'), cal.get('two-sessions-2027')]).toEqual(['overdue', 'done']);
    // Its stored JSON (without the new cover fields) still renders.
    expect(loadReport(db, listReports(db, { customerId: 'acme' })[0]!).cover.periodTo).toBe(bj(2027, 2, 24, 9));
  });

  test('an inspection the contract does not have, or whose window has not begun, is refused with the reason', async () => {
    clock = bj(2027, 1, 5);
    await expect(generateReport(deps(), { customerId: 'acme', inspectionKey: 'new-year-2027', lang: 'zh' })).rejects.toThrow(ReportTargetError);
    await expect(generateReport(deps(), { customerId: 'acme', inspectionKey: 'may-day-2027', lang: 'zh' })).rejects.toThrow(/has not begun/);
    // A quarter alone is a quarter report; one that has not begun is refused likewise.
    await expect(generateReport(deps(), { customerId: 'acme', period: '2027Q4', lang: 'zh' })).rejects.toThrow(/the quarter 2027Q4 has not begun yet/);
  });
});

test('a report made and signed before its inspection day does not make the inspection done', async () => {
  const dir = tempDir('report-window-early');
  const db = openDatabase(join(dir.path, 'patrol.db'));
  const store = sqliteMetricsStore({ path: join(dir.path, 'metrics.db'), retentionDays: 100_000 });
  await store.init();
  try {
    ensureCustomer(db, 'acme', 'ACME', bj(2026, 1, 1));
    let clock = bj(2026, 12, 1, 12);
    const deps = { db, store, dataDir: dir.path, now: () => clock };
    const early = await generateReport(deps, { customerId: 'acme', inspectionKey: 'new-year-2027', lang: 'zh' });
    // It covers up to when it was made: the inspection (Dec 25) is still ahead.
    expect(loadReport(db, early).cover).toMatchObject({ periodFrom: bj(2026, 9, 24, 9), periodTo: clock });
    signOff(db, early, { id: null, name: 'Li' }, '', clock);
    clock = bj(2026, 12, 26, 12);
    expect(customerInspectionCalendar(db, 'acme', clock).find((e) => e.key === 'new-year-2027')?.status).toBe('due');
    const onTime = await generateReport(deps, { customerId: 'acme', inspectionKey: 'new-year-2027', lang: 'zh' });
    signOff(db, onTime, { id: null, name: 'Li' }, '', clock);
    expect(customerInspectionCalendar(db, 'acme', clock).find((e) => e.key === 'new-year-2027')).toMatchObject({ status: 'done', reportId: onTime.id });
  } finally {
    await store.close();
    db.close();
    dir.remove();
  }
});
