import type { Db } from '../db/database.js';
import { markHostRetired } from '../db/hosts.js';
import { cancelQueuedProblem } from '../notify/outbox.js';
import { ACTIVE_STATES, addEvent, listTickets, SYSTEM_ACTOR, updateTicket } from './ticket-store.js';

export interface Revocation {
  agentId: string;
  customerId: string;
  /** The agent's host, now retired. */
  hostId: string;
  /** Numbers of the host's tickets that were still open and are resolved by the retirement. */
  ticketsResolved: string[];
}

/** What the tickets of a retired host say, as the system's comment and resolution. */
export const HOST_RETIRED_NOTE = 'host retired: its agent key was revoked (agent uninstalled or host decommissioned)';

/**
 * Revoke an agent's key: it stops working at once. The agent's host is retired with it (a key is revoked when
 * the agent is uninstalled or the machine decommissioned; a machine enrolled again becomes a new host): it leaves
 * the host lists and the silence check, so nobody is paged for it, and its tickets still open get a system comment
 * and are resolved (queued problem messages are dropped). Undefined for an unknown agent or one of a customer not
 * in customerIds. Revoking twice changes nothing more.
 */
export function revokeAgentAndRetireHost(db: Db, agentId: string, now: number, customerIds?: readonly string[]): Revocation | undefined {
  return db.transaction((): Revocation | undefined => {
    const row = db.prepare('SELECT customer_id, host_id FROM agents WHERE id = ?').get(agentId) as { customer_id: string; host_id: string } | undefined;
    if (!row || (customerIds && !customerIds.includes(row.customer_id))) return undefined;
    db.prepare('UPDATE agents SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, agentId);
    markHostRetired(db, row.host_id, now);
    const ticketsResolved: string[] = [];
    for (const t of listTickets(db, { hostId: row.host_id, state: [...ACTIVE_STATES, 'recovered'], now, limit: 100_000 })) {
      addEvent(db, t, { at: now, actor: SYSTEM_ACTOR, kind: 'comment', message: HOST_RETIRED_NOTE });
      cancelQueuedProblem(db, t.id);
      updateTicket(db, t.id, { state: 'resolved', resolvedAt: now, restoredAt: t.restoredAt ?? now, nextEscalationAt: null }, now);
      addEvent(db, t, { at: now, actor: SYSTEM_ACTOR, kind: 'resolved', message: 'host retired' });
      ticketsResolved.push(t.number);
    }
    return { agentId, customerId: row.customer_id, hostId: row.host_id, ticketsResolved };
  })();
}

/** revokeAgentAndRetireHost, answering only whether the agent was found. */
export function revokeAgent(db: Db, agentId: string, now: number, customerIds?: readonly string[]): boolean {
  return revokeAgentAndRetireHost(db, agentId, now, customerIds) !== undefined;
}

