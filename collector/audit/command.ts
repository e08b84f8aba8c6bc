import { userInfo } from 'node:os';
import type { Db } from '../db/database.js';
import { summarize } from './redact.js';
import { recordAudit } from './store.js';

/** Who ran a command on the collector's machine: the operating-system account (there is no Patrol login there). */
export function localOperator(): string {
  try {
    return `${userInfo().username}@local`;
  } catch {
    return 'local';
  }
}

/** An admin command run with patrol-collector on the collector's machine (user-add, unlock-login), as an audit entry. */
export function recordCommand(db: Db, e: { command: string; targetId: string | null; details: Record<string, unknown>; now: number }): void {
  recordAudit(db, {
    at: e.now,
    action: 'cli',
    userId: null,
    username: localOperator(),
    role: null,
    via: 'cli',
    method: 'CLI',
    path: e.command,
    targetId: e.targetId,
    status: null,
    address: 'local',
    summary: summarize(e.details),
  });
}
