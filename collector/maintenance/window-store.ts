import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { customerFilter, customerParam } from '../db/tenancy.js';
import { WeeklySlotSchema, weeklyActive, type WeeklySlot } from '../../shared/zoned-time.js';

export const MaintenanceInputSchema = z
  .object({
    customerId: z.string().min(1),
    scope: z.enum(['customer', 'host', 'tag']),
    hostId: z.string().min(1).nullable().default(null),
    tag: z.string().min(1).max(100).nullable().default(null),
    startsAt: z.number().int().nonnegative().nullable().default(null),
    endsAt: z.number().int().nonnegative().nullable().default(null),
    weekly: WeeklySlotSchema.nullable().default(null),
    reason: z.string().max(500).default(''),
  })
  .refine((m) => m.scope !== 'host' || m.hostId !== null, 'a host window needs hostId')
  .refine((m) => m.scope !== 'tag' || m.tag !== null, 'a tag window needs tag')
  .refine((m) => m.weekly !== null || (m.startsAt !== null && m.endsAt !== null), 'give startsAt and endsAt, or a weekly slot')
  .refine((m) => m.startsAt === null || m.endsAt === null || m.endsAt > m.startsAt, 'endsAt must be after startsAt');
export type MaintenanceInput = z.input<typeof MaintenanceInputSchema>;

export interface MaintenanceWindow {
  id: string;
  customerId: string;
  scope: 'customer' | 'host' | 'tag';
  hostId: string | null;
  tag: string | null;
  startsAt: number | null;
  endsAt: number | null;
  weekly: WeeklySlot | null;
  reason: string;
  createdBy: string | null;
  createdAt: number;
}

interface Row {
  id: string;
  customer_id: string;
  scope: MaintenanceWindow['scope'];
  host_id: string | null;
  tag: string | null;
  starts_at: number | null;
  ends_at: number | null;
  weekly: string | null;
  reason: string;
  created_by: string | null;
  created_at: number;
}

function toWindow(r: Row): MaintenanceWindow {
  return {
    id: r.id,
    customerId: r.customer_id,
    scope: r.scope,
    hostId: r.host_id,
    tag: r.tag,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    weekly: r.weekly ? WeeklySlotSchema.parse(JSON.parse(r.weekly)) : null,
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

export function addMaintenance(db: Db, input: MaintenanceInput, createdBy: string | null, now: number): MaintenanceWindow {
  const m = MaintenanceInputSchema.parse(input);
  const id = randomUUID();
  db.prepare(
    `INSERT INTO maintenance_windows (id, customer_id, scope, host_id, tag, starts_at, ends_at, weekly, reason, created_by, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, m.customerId, m.scope, m.hostId, m.tag, m.startsAt, m.endsAt, m.weekly ? JSON.stringify(m.weekly) : null, m.reason, createdBy, now);
  return toWindow(db.prepare('SELECT * FROM maintenance_windows WHERE id = ?').get(id) as Row);
}

export function listMaintenance(db: Db, customerIds?: readonly string[]): MaintenanceWindow[] {
  return (
    db
      .prepare(`SELECT * FROM maintenance_windows WHERE ${customerFilter('customer_id')} ORDER BY created_at`)
      .all(customerParam(customerIds)) as Row[]
  ).map(toWindow);
}

export function deleteMaintenance(db: Db, id: string, customerIds?: readonly string[]): boolean {
  const w = listMaintenance(db, customerIds).find((m) => m.id === id);
  if (!w) return false;
  db.prepare('DELETE FROM maintenance_windows WHERE id = ?').run(id);
  return true;
}

export function windowActiveAt(w: MaintenanceWindow, t: number): boolean {
  if (w.startsAt !== null && t < w.startsAt) return false;
  if (w.endsAt !== null && t >= w.endsAt) return false;
  return w.weekly ? weeklyActive(w.weekly, t) : true;
}

/** Windows that cover this host now (by host, by one of its tags, or the whole customer). */
export function activeWindowsForHost(
  db: Db,
  host: { id: string; customerId: string; tags: readonly string[] },
  t: number,
): MaintenanceWindow[] {
  return listMaintenance(db, [host.customerId]).filter(
    (w) =>
      windowActiveAt(w, t) &&
      (w.scope === 'customer' || (w.scope === 'host' && w.hostId === host.id) || (w.scope === 'tag' && w.tag !== null && host.tags.includes(w.tag))),
  );
}

/** Windows running now, for the ticket list ("shown on the ticket list"). */
export function activeMaintenance(db: Db, t: number, customerIds?: readonly string[]): MaintenanceWindow[] {
  return listMaintenance(db, customerIds).filter((w) => windowActiveAt(w, t));
}
