import type { Db } from '../db/database.js';
import { getContract } from '../contracts/contract-store.js';
import { slaStopReason } from '../contracts/contract-terms.js';
import { addEvent, getTicket, updateTicket, SYSTEM_ACTOR, type Ticket } from './ticket-store.js';

const WHY: Record<NonNullable<Ticket['slaStopped']>, string> = {
  'contract-expired': 'the contract has ended: the case is recorded and handled, but no SLA clock runs',
  'contract-not-started': 'the contract has not started yet: the case is recorded and handled, but no SLA clock runs',
  'host-not-covered': 'the host is not covered by the contract: the case is recorded and handled, but no SLA clock runs',
};

/** A new case outside the contract's term or scope runs no SLA clocks, and says so on the case. */
export function applyContractTerms(db: Db, ticket: Ticket, now: number): Ticket {
  const contract = getContract(db, ticket.customerId);
  const reason = slaStopReason(contract, ticket.hostId, now);
  if (!reason) return ticket;
  updateTicket(db, ticket.id, { slaStopped: reason, nextEscalationAt: null }, now);
  addEvent(db, ticket, { at: now, actor: SYSTEM_ACTOR, kind: 'sla-stopped', message: WHY[reason], data: { reason, startsOn: contract.startsOn, endsOn: contract.endsOn } });
  return getTicket(db, ticket.id, { now })!;
}
