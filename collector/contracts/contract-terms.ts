import { DEFAULT_TIMEZONE, zonedToUtc } from '../../shared/zoned-time.js';
import type { StoredContract } from './contract-store.js';

/**
 * A contract's term in instants: from the first day 00:00 to the day after the last one, Beijing time (contracts
 * name dates, and the last day is served in full). Outside the term, or on a host the contract does not cover, the
 * company owes no response or restore times: cases are still recorded and handled, but run no SLA clocks.
 */
const DAY_MS = 86_400_000;
/** "A banner and a mail 30 days before the end" (issue 15). */
export const CONTRACT_ENDING_DAYS = 30;

function dayStart(isoDate: string, plusDays = 0): number {
  const [y, m, d] = isoDate.split('-').map(Number);
  return zonedToUtc(y!, m!, d! + plusDays, 0, 0, DEFAULT_TIMEZONE);
}

export interface ContractTerm {
  startsAt: number | null;
  /** Exclusive: the instant the contract is over. */
  endsAt: number | null;
}

export function contractTerm(c: Pick<StoredContract, 'startsOn' | 'endsOn'>): ContractTerm {
  return { startsAt: c.startsOn ? dayStart(c.startsOn) : null, endsAt: c.endsOn ? dayStart(c.endsOn, 1) : null };
}

export type ContractState = { state: 'active' | 'not-started' | 'expired'; endsAt: number | null; daysLeft: number | null; ending: boolean };

export function contractState(c: Pick<StoredContract, 'startsOn' | 'endsOn'>, now: number): ContractState {
  const { startsAt, endsAt } = contractTerm(c);
  const state = startsAt !== null && now < startsAt ? 'not-started' : endsAt !== null && now >= endsAt ? 'expired' : 'active';
  const daysLeft = endsAt === null ? null : Math.ceil((endsAt - now) / DAY_MS);
  return { state, endsAt, daysLeft, ending: state === 'active' && daysLeft !== null && daysLeft <= CONTRACT_ENDING_DAYS };
}

export type SlaStopReason = 'contract-expired' | 'contract-not-started' | 'host-not-covered';

/** Why a case opened now on this host runs no SLA clock, if it does not. */
export function slaStopReason(c: StoredContract, hostId: string, now: number): SlaStopReason | undefined {
  if (!c.stored) return undefined;
  const s = contractState(c, now);
  if (s.state === 'expired') return 'contract-expired';
  if (s.state === 'not-started') return 'contract-not-started';
  if (hostId && c.coveredHostIds && !c.coveredHostIds.includes(hostId)) return 'host-not-covered';
  return undefined;
}
