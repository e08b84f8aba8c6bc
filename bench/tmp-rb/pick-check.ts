// Scratch: the reports-review test's contract (two custom dates, +7 and +42 days) on every few hours of two years.
import { openDatabase } from '../../collector/db/database.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { setContract } from '../../collector/contracts/contract-store.js';
import { localDate } from '../../collector/reports/holiday-calendar.js';
import { customerInspectionCalendar } from '../../collector/reports/customer-calendar.js';
import { reportWindow } from '../../collector/reports/report-window.js';

const DAY = 86_400_000;
const start = Date.UTC(2026, 11, 5);
let bad = 0;
let n = 0;
for (let t = start; t < start + 800 * DAY; t += 3 * 3_600_000 + 17 * 60_000) {
  n++;
  const db = openDatabase(':memory:');
  ensureCustomer(db, 'acme', 'ACME', t - 60_000);
  const dates = [localDate(t + 7 * DAY), localDate(t + 42 * DAY)];
  setContract(db, 'acme', { inspections: dates.map((date) => ({ date, name: 'audit' })) }, t);
  const cal = customerInspectionCalendar(db, 'acme', t);
  const a = cal.find((e) => e.inspectionDate === dates[0]);
  const b = cal.find((e) => e.inspectionDate === dates[1]);
  let ok = !!a && !!b;
  let info = '';
  if (a) {
    try {
      const w = reportWindow(db, 'acme', a, t);
      if (w.from > t - 30 * 60_000) { ok = false; info += ` from ${new Date(w.from).toISOString()}`; }
    } catch (e) { ok = false; info += ' a refused ' + (e as Error).message; }
  }
  if (b) {
    try { reportWindow(db, 'acme', b, t); ok = false; info += ' b opens'; } catch { /* refused, as wanted */ }
  }
  if (!ok) { bad++; if (bad < 8) console.log(new Date(t).toISOString(), a?.key, b?.key, info); }
  db.close();
}
console.log('samples', n, 'bad', bad);
