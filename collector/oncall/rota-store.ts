import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { WeeklySlotSchema, weeklyActive, type WeeklySlot } from '../../shared/zoned-time.js';
import { adminIds, staffWhoMaySee } from './contacts.js';
import { DOMAINS, type Domain } from './expert-domains.js';

export type Tier = 1 | 2 | 3;

/** A shift: either a fixed period (startsAt..endsAt, endsAt open-ended if null) or a weekly slot. */
export const OncallShiftInputSchema = z
  .object({
    tier: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    userId: z.string().min(1),
    customerId: z.string().min(1).nullable().default(null),
    startsAt: z.number().int().nonnegative().nullable().default(null),
    endsAt: z.number().int().nonnegative().nullable().default(null),
    weekly: WeeklySlotSchema.nullable().default(null),
    /** An expert shift: only cases of this domain (network, database, system, security) go to it; null = every case. */
    domain: z.enum(DOMAINS).nullable().default(null),
  })
  .refine((s) => s.weekly !== null || s.startsAt !== null, 'give startsAt (and endsAt) or a weekly slot')
  .refine((s) => s.startsAt === null || s.endsAt === null || s.endsAt > s.startsAt, 'endsAt must be after startsAt');
export type OncallShiftInput = z.input<typeof OncallShiftInputSchema>;

export interface OncallShift {
  id: string;
  tier: Tier;
  userId: string;
  customerId: string | null;
  startsAt: number | null;
  endsAt: number | null;
  weekly: WeeklySlot | null;
  domain: Domain | null;
  createdAt: number;
}

interface ShiftRow {
  id: string;
  tier: Tier;
  user_id: string;
  customer_id: string | null;
  starts_at: number | null;
  ends_at: number | null;
  weekly: string | null;
  domain: Domain | null;
  created_at: number;
}

function toShift(r: ShiftRow): OncallShift {
  return {
    id: r.id,
    tier: r.tier,
    userId: r.user_id,
    customerId: r.customer_id,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    weekly: r.weekly ? WeeklySlotSchema.parse(JSON.parse(r.weekly)) : null,
    domain: r.domain ?? null,
    createdAt: r.created_at,
  };
}

export function addShift(db: Db, input: OncallShiftInput, now: number): OncallShift {
  const s = OncallShiftInputSchema.parse(input);
  const id = randomUUID();
  db.prepare(
    'INSERT INTO oncall_shifts (id, tier, user_id, customer_id, starts_at, ends_at, weekly, created_at, domain) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(id, s.tier, s.userId, s.customerId, s.startsAt, s.endsAt, s.weekly ? JSON.stringify(s.weekly) : null, now, s.domain);
  return toShift(db.prepare('SELECT * FROM oncall_shifts WHERE id = ?').get(id) as ShiftRow);
}

/**
 * Shifts visible to a caller: company-wide shifts (no customer) and those of visible customers.
 * customerIds undefined = all.
 */
export function listShifts(db: Db, customerIds?: readonly string[]): OncallShift[] {
  const rows = db.prepare('SELECT * FROM oncall_shifts ORDER BY tier, created_at').all() as ShiftRow[];
  return rows.map(toShift).filter((s) => !customerIds || s.customerId === null || customerIds.includes(s.customerId));
}

export function deleteShift(db: Db, id: string): boolean {
  return db.prepare('DELETE FROM oncall_shifts WHERE id = ?').run(id).changes > 0;
}

function activeAt(s: OncallShift, t: number): boolean {
  if (s.startsAt !== null && t < s.startsAt) return false;
  if (s.endsAt !== null && t >= s.endsAt) return false;
  return s.weekly ? weeklyActive(s.weekly, t) : true;
}

/**
 * The users on duty for a tier and customer at instant t, restricted to those allowed to see that
 * customer (an engineer who does not serve it is never notified about it).
 */
export function onDutyUserIds(db: Db, tier: Tier, customerId: string, t: number, domain: Domain | null = null): string[] {
  const shifts = listShifts(db).filter((s) => s.tier === tier && (s.customerId === null || s.customerId === customerId) && activeAt(s, t));
  const ids = (list: OncallShift[]) => staffWhoMaySee(db, customerId, [...new Set(list.map((s) => s.userId))]);
  // A case of a domain goes to that domain's experts when one is on duty; the general shift of the tier otherwise.
  const experts = domain ? ids(shifts.filter((s) => s.domain === domain)) : [];
  return experts.length > 0 ? experts : ids(shifts.filter((s) => s.domain === null));
}

/** Who a tier's notification goes to, and from where they came when that tier had nobody on duty. */
export interface NotifyTarget {
  userIds: string[];
  /** The tier the people were found in; null when they are the admins (no tier from the asked one up had anyone). */
  fromTier: Tier | null;
  /** Tiers asked first that had nobody on duty (empty when the asked tier answered). */
  emptyTiers: Tier[];
}

/**
 * The asked tier's on-duty people; if nobody is on duty there, the next tier up, and so on; if all are empty,
 * the admins who may see the customer. An escalation must reach someone: a P1 escalating into an empty rota
 * would otherwise be a message with no recipients.
 */
export function notifyTargetFor(db: Db, tier: Tier, customerId: string, t: number, domain: Domain | null = null): NotifyTarget {
  const emptyTiers: Tier[] = [];
  for (let k = tier; k <= 3; k++) {
    const userIds = onDutyUserIds(db, k as Tier, customerId, t, domain);
    if (userIds.length > 0) return { userIds, fromTier: k as Tier, emptyTiers };
    emptyTiers.push(k as Tier);
  }
  return { userIds: staffWhoMaySee(db, customerId, adminIds(db)), fromTier: null, emptyTiers };
}
