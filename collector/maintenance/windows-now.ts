import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { getHost } from '../db/hosts.js';
import { zonedParts } from '../../shared/zoned-time.js';
import { activeMaintenance, type MaintenanceWindow } from './window-store.js';

/** A window in force now, with what the ticket list needs to say "maintenance now: db01 until 11:00". */
export interface MaintenanceNow extends MaintenanceWindow {
  customerName: string;
  /** For host windows; null otherwise (or when the host is gone). */
  hostName: string | null;
  /** When the current occurrence ends: endsAt of a one-off window, the end of today's slot of a weekly one. */
  until: number | null;
}

const hhmm = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/** End of the occurrence running at t (the window is active at t). */
export function occurrenceEnd(w: MaintenanceWindow, t: number): number | null {
  let until: number | null = w.endsAt;
  if (w.weekly) {
    const p = zonedParts(t, w.weekly.timezone);
    const minuteNow = p.hour * 60 + p.minute;
    // Minutes left until the slot's end time comes round (an overnight slot ends tomorrow).
    const left = (hhmm(w.weekly.end) - minuteNow + 1440) % 1440 || 1440;
    const slotEnd = Math.floor(t / 60_000) * 60_000 + left * 60_000;
    until = until === null ? slotEnd : Math.min(until, slotEnd);
  }
  return until;
}

/** Windows in force now that the caller may see, described for the ticket list (dashboard, API, CLI). */
export function maintenanceNow(db: Db, t: number, customerIds?: readonly string[]): MaintenanceNow[] {
  return activeMaintenance(db, t, customerIds).map((w) => ({
    ...w,
    customerName: getCustomer(db, w.customerId)?.name ?? w.customerId,
    hostName: w.hostId ? (getHost(db, w.hostId, [w.customerId])?.name ?? null) : null,
    until: occurrenceEnd(w, t),
  }));
}
