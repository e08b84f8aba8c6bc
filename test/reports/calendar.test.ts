import { describe, expect, test } from 'vitest';
import {
  addDays,
  holidayDate,
  inspectionCalendar,
  inspectionsOfYear,
  periodBounds,
  springFestival,
} from '../../collector/reports/holiday-calendar.js';
import { zonedToUtc } from '../../shared/zoned-time.js';

// Spring Festival (春节) dates from the published Chinese calendar, written down independently of the library.
const SPRING_FESTIVAL: Record<number, string> = {
  2025: '2025-01-29',
  2026: '2026-02-17',
  2027: '2027-02-06',
  2028: '2028-01-26',
  2029: '2029-02-13',
  2030: '2030-02-03',
  2031: '2031-01-23',
  2032: '2032-02-11',
  2033: '2033-01-31',
  2034: '2034-02-19',
  2035: '2035-02-08',
};

describe('holiday calendar', () => {
  test.each(Object.entries(SPRING_FESTIVAL))('Spring Festival %s falls on %s', (year, date) => {
    expect(springFestival(Number(year))).toBe(date);
    expect(holidayDate('spring-festival', Number(year))).toBe(date);
  });

  test('fixed holidays: New Year, Two Sessions (March 3), May Day, National Day', () => {
    expect(holidayDate('new-year', 2027)).toBe('2027-01-01');
    expect(holidayDate('two-sessions', 2027)).toBe('2027-03-03');
    expect(holidayDate('may-day', 2027)).toBe('2027-05-01');
    expect(holidayDate('national-day', 2026)).toBe('2026-10-01');
  });

  test('date arithmetic crosses month and year ends', () => {
    expect(addDays('2027-01-01', -7)).toBe('2026-12-25');
    expect(addDays('2028-02-26', 4)).toBe('2028-03-01'); // 2028 is a leap year
    expect(addDays('2027-02-26', 3)).toBe('2027-03-01');
  });

  test('each inspection runs N days before its holiday and its report is due a week later, in the right quarter', () => {
    const got = inspectionsOfYear(['new-year', 'spring-festival', 'two-sessions', 'may-day', 'national-day', { date: '2027-08-15', name: 'audit' }], 2027, 10);
    expect(got.map((d) => [d.key, d.inspectionDate, d.reportDueDate, d.period])).toEqual([
      ['new-year-2027', '2026-12-22', '2026-12-29', '2026Q4'],
      ['spring-festival-2027', '2027-01-27', '2027-02-03', '2027Q1'],
      ['two-sessions-2027', '2027-02-21', '2027-02-28', '2027Q1'],
      ['may-day-2027', '2027-04-21', '2027-04-28', '2027Q2'],
      ['custom-2027-08-15', '2027-08-15', '2027-08-22', '2027Q3'],
      ['national-day-2027', '2027-09-21', '2027-09-28', '2027Q3'],
    ]);
  });

  test('upcoming, due, overdue and done around a given day', () => {
    // 2026-10-05 12:00 Beijing time: National Day 2026 inspected on 09-24, report due 10-01 -> overdue.
    const now = zonedToUtc(2026, 10, 5, 12, 0, 'Asia/Shanghai');
    const base = { inspections: ['new-year', 'two-sessions', 'may-day', 'national-day'] as const, now, lookBackDays: 60, lookAheadDays: 100 };
    const cal = inspectionCalendar({ ...base, inspections: [...base.inspections], signedReports: new Map() });
    expect(cal.map((e) => [e.key, e.status])).toEqual([
      ['national-day-2026', 'overdue'],
      ['new-year-2027', 'upcoming'],
    ]);
    const signed = inspectionCalendar({ ...base, inspections: [...base.inspections], signedReports: new Map([['national-day-2026', 'r1']]) });
    expect(signed[0]).toMatchObject({ status: 'done', reportId: 'r1' });
    // Two days after the inspection the report is due, not yet overdue.
    const dueNow = zonedToUtc(2026, 9, 26, 8, 0, 'Asia/Shanghai');
    const due = inspectionCalendar({ ...base, inspections: [...base.inspections], now: dueNow, signedReports: new Map() });
    expect(due.find((e) => e.key === 'national-day-2026')?.status).toBe('due');
  });

  test('a quarter is bounded by local midnights in Beijing time', () => {
    const q = periodBounds('2026Q4');
    expect(new Date(q.from).toISOString()).toBe('2026-09-30T16:00:00.000Z');
    expect(new Date(q.to).toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });
});
