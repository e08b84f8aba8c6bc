import { z } from 'zod';
import type { Db } from '../db/database.js';
import { CalendarSchema, type Calendar } from './sla-calendar.js';

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const serviceLevelOf = (calendar: Calendar): '7x24' | '5x8' => (calendar.kind === '7x24' ? '7x24' : '5x8');

export const SEVERITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Severity = (typeof SEVERITIES)[number];

const TargetSchema = z.object({
  respondMin: z.number().int().positive(),
  onsiteMin: z.number().int().positive(),
  restoreMin: z.number().int().positive(),
});
export type SlaTarget = z.infer<typeof TargetSchema>;

/** Defaults from requirements.md: first response 30 min; on site 1 h (P1) / 2 h (P2); restore 4 h / 8 h. */
export const DEFAULT_TARGETS: Record<Severity, SlaTarget> = {
  P1: { respondMin: 30, onsiteMin: 60, restoreMin: 240 },
  P2: { respondMin: 30, onsiteMin: 120, restoreMin: 480 },
  // P3/P4 are "longer" in the contract; a working day and a working week are the usual figures.
  P3: { respondMin: 120, onsiteMin: 480, restoreMin: 1440 },
  P4: { respondMin: 240, onsiteMin: 1440, restoreMin: 4320 },
};

export const INSPECTION_HOLIDAYS = ['new-year', 'spring-festival', 'two-sessions', 'may-day', 'national-day'] as const;

/** A named holiday, or a custom local date for an inspection. */
export const InspectionSchema = z.union([
  z.enum(INSPECTION_HOLIDAYS),
  z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), name: z.string().max(100).optional() }),
]);
export type Inspection = z.infer<typeof InspectionSchema>;

export const ContractSchema = z
  .object({
    targets: z
      .object({ P1: TargetSchema, P2: TargetSchema, P3: TargetSchema, P4: TargetSchema })
      .default(DEFAULT_TARGETS),
    calendar: CalendarSchema.default({ kind: '7x24' }),
    /**
     * Days after recovery/resolution after which an unconfirmed ticket closes by itself; 0 = never (the default:
     * "a case ends only when the customer agrees"). Only a contract that says so closes cases without consent.
     */
    autoCloseDays: z.number().int().min(0).max(365).default(0),
    /** Where auto-close is on: the customer is told this many days before a case closes by the rule (one notice per case). */
    autoCloseNoticeDays: z.number().int().min(0).max(60).default(2),
    /** Consecutive non-OK runs before a ticket opens. */
    openAfter: z.number().int().min(1).max(100).default(2),
    /** A problem that recurs within this many minutes of recovery reopens its ticket. */
    reopenWindowMin: z.number().int().min(0).max(525_600).default(1440),
    inspections: z.array(InspectionSchema).max(12).default(['new-year', 'two-sessions', 'may-day', 'national-day']),
    /** Days before its holiday that a named-holiday inspection runs (a custom date is the inspection day itself). */
    inspectionDaysBefore: z.number().int().min(0).max(90).default(7),
    /** Flapping starts when the weighted share of state changes over the last 21 results reaches this (Nagios: 50). */
    flapHighPct: z.number().int().min(1).max(100).default(50),
    /** ...and stops only below this (Nagios: 25); the gap keeps the flag from flapping itself. */
    flapLowPct: z.number().int().min(0).max(99).default(25),
    /** At most one automatic reopen message (and the recovery after it) per ticket in this many minutes; 0 = no limit. */
    reopenNotifyMin: z.number().int().min(0).max(1440).default(30),
    /** The contract's term in Beijing dates, the last day included; null = open-ended. Outside it no SLA clock runs. */
    startsOn: IsoDate.nullable().default(null),
    endsOn: IsoDate.nullable().default(null),
    /** The hosts the contract covers; null = every host of the customer. A case on another host runs no SLA clock. */
    coveredHostIds: z.array(z.string().min(1).max(100)).max(10_000).nullable().default(null),
    /** The staff user who owns the account: mailed 30 days before the contract ends. */
    accountOwnerId: z.string().min(1).max(100).nullable().default(null),
  })
  .refine((c) => !c.startsOn || !c.endsOn || c.startsOn <= c.endsOn, { message: 'endsOn must not be before startsOn', path: ['endsOn'] })
  .refine((c) => c.flapLowPct < c.flapHighPct, { message: 'flapLowPct must be below flapHighPct', path: ['flapLowPct'] });
export type Contract = z.infer<typeof ContractSchema>;
export type ContractInput = z.input<typeof ContractSchema>;

export interface StoredContract extends Contract {
  customerId: string;
  /** The service level the calendar gives: 7x24, or 5x8 for business hours (the hours are in the calendar). */
  serviceLevel: '7x24' | '5x8';
  /** False when no contract row exists and these are the defaults. */
  stored: boolean;
  updatedAt: number | null;
}

interface ContractRow {
  customer_id: string;
  targets: string;
  calendar: string;
  auto_close_days: number;
  auto_close_notice_days: number;
  starts_on: string | null;
  ends_on: string | null;
  covered_hosts: string | null;
  account_owner_id: string | null;
  open_after: number;
  reopen_window_min: number;
  inspections: string;
  inspection_days_before: number;
  flap_high_pct: number;
  flap_low_pct: number;
  reopen_notify_min: number;
  updated_at: number;
}

/** The customer's contract, or the defaults when none is stored. */
export function getContract(db: Db, customerId: string): StoredContract {
  const r = db.prepare('SELECT * FROM contracts WHERE customer_id = ?').get(customerId) as ContractRow | undefined;
  if (!r) {
    const d = ContractSchema.parse({});
    return { ...d, serviceLevel: serviceLevelOf(d.calendar), customerId, stored: false, updatedAt: null };
  }
  const c = ContractSchema.parse({
    targets: JSON.parse(r.targets),
    calendar: JSON.parse(r.calendar),
    autoCloseDays: r.auto_close_days,
    autoCloseNoticeDays: r.auto_close_notice_days,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    coveredHostIds: r.covered_hosts ? (JSON.parse(r.covered_hosts) as string[]) : null,
    accountOwnerId: r.account_owner_id,
    openAfter: r.open_after,
    reopenWindowMin: r.reopen_window_min,
    inspections: JSON.parse(r.inspections),
    inspectionDaysBefore: r.inspection_days_before,
    flapHighPct: r.flap_high_pct,
    flapLowPct: r.flap_low_pct,
    reopenNotifyMin: r.reopen_notify_min,
  });
  return { ...c, serviceLevel: serviceLevelOf(c.calendar), customerId, stored: true, updatedAt: r.updated_at };
}

/** Store (replace) a customer's contract; missing fields take the defaults. */
export function setContract(db: Db, customerId: string, input: ContractInput, now: number): StoredContract {
  const c = ContractSchema.parse(input);
  db.prepare(
    `INSERT INTO contracts (customer_id, targets, calendar, auto_close_days, open_after, reopen_window_min, inspections,
       inspection_days_before, flap_high_pct, flap_low_pct, reopen_notify_min, updated_at, auto_close_notice_days, starts_on, ends_on, covered_hosts, account_owner_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(customer_id) DO UPDATE SET targets = excluded.targets, calendar = excluded.calendar,
       auto_close_days = excluded.auto_close_days, open_after = excluded.open_after,
       reopen_window_min = excluded.reopen_window_min, inspections = excluded.inspections,
       inspection_days_before = excluded.inspection_days_before, flap_high_pct = excluded.flap_high_pct, flap_low_pct = excluded.flap_low_pct,
       reopen_notify_min = excluded.reopen_notify_min, updated_at = excluded.updated_at, auto_close_notice_days = excluded.auto_close_notice_days,
       starts_on = excluded.starts_on, ends_on = excluded.ends_on, covered_hosts = excluded.covered_hosts, account_owner_id = excluded.account_owner_id`,
  ).run(
    customerId,
    JSON.stringify(c.targets),
    JSON.stringify(c.calendar),
    c.autoCloseDays,
    c.openAfter,
    c.reopenWindowMin,
    JSON.stringify(c.inspections),
    c.inspectionDaysBefore,
    c.flapHighPct,
    c.flapLowPct,
    c.reopenNotifyMin,
    now,
    c.autoCloseNoticeDays,
    c.startsOn,
    c.endsOn,
    c.coveredHostIds ? JSON.stringify(c.coveredHostIds) : null,
    c.accountOwnerId,
  );
  return getContract(db, customerId);
}
