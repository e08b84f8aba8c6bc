import type { Db } from '../db/database.js';
import { listCheckStates } from '../db/check-states.js';
import type { Status } from '../../shared/status.js';
import { worstStatus } from '../../shared/status.js';

/** Worst check state per host (a host with no results yet is UNKNOWN), in one query for all visible hosts. */
export function worstStatusByHost(db: Db, customerIds: readonly string[] | undefined): Map<string, Status> {
  const byHost = new Map<string, Status[]>();
  for (const s of listCheckStates(db, { customerIds })) {
    const list = byHost.get(s.hostId);
    if (list) list.push(s.status);
    else byHost.set(s.hostId, [s.status]);
  }
  const worst = new Map<string, Status>();
  for (const [hostId, statuses] of byHost) worst.set(hostId, worstStatus(statuses));
  return worst;
}

export const statusClass = (s: Status) => `st-${s}`;
