import { expect, test } from 'vitest';
import { openDatabase } from '../../collector/db/database.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { setContract } from '../../collector/contracts/contract-store.js';
import { customerInspectionCalendar } from '../../collector/reports/customer-calendar.js';

test('an inspection dated before the customer was taken on is not owed, so never overdue', () => {
  const db = openDatabase(':memory:');
  const day = 86400_000;
  const now = Date.parse('2026-11-25T04:00:00Z');
  ensureCustomer(db, 'old', 'Old customer', now - 365 * day);
  ensureCustomer(db, 'new', 'New customer', now - 5 * day);
  const inspections = [{ date: '2026-11-01', name: 'November check' }, { date: '2026-11-23', name: 'Late November check' }];
  setContract(db, 'old', { inspections }, now);
  setContract(db, 'new', { inspections }, now);
  const statusOf = (id: string) => customerInspectionCalendar(db, id, now).map((e) => [e.inspectionDate, e.status]);
  expect(statusOf('old')).toEqual([['2026-11-01', 'overdue'], ['2026-11-23', 'due']]);
  expect(statusOf('new')).toEqual([['2026-11-23', 'due']]);
});
