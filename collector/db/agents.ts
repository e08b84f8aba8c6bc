import { randomUUID } from 'node:crypto';
import type { Db } from './database.js';
import { hashSecret, newSecret } from '../auth/secrets.js';
import { createHost } from './hosts.js';
import { pinnedEnrollmentToken, splitEnrollmentToken } from '../../shared/tls-pin.js';
import { recordedCollectorCa } from './collector-ca.js';

export interface AgentIdentity {
  agentId: string;
  customerId: string;
  hostId: string;
}

export interface EnrollmentToken {
  id: string;
  customerId: string;
  note: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  revokedAt: number | null;
}

/** 24 h: long enough to hand a token to a field engineer, short enough that a leaked one soon dies. */
export const DEFAULT_TOKEN_TTL_MS = 24 * 3600_000;

/** An enrollment token's record as the API shows it (EnrollmentToken), never its hash. */
const TOKEN_COLUMNS =
  'id, customer_id AS customerId, note, created_at AS createdAt, expires_at AS expiresAt, used_at AS usedAt, revoked_at AS revokedAt';

/**
 * A token is `pe_<secret>`, followed by `.<CA pin>` when the collector serves TLS with a CA agents can pin (see
 * shared/tls-pin.ts): the agent then trusts exactly that CA without a CA file. Only the secret's hash is stored;
 * tokens made before TLS (no pin) keep working.
 */
export function createEnrollmentToken(
  db: Db,
  customerId: string,
  now: number,
  opts: { ttlMs?: number; note?: string } = {},
): { token: string; record: EnrollmentToken } {
  const secret = newSecret('pe');
  const token = pinnedEnrollmentToken(secret, recordedCollectorCa(db)?.pin);
  const id = randomUUID();
  db.prepare(
    'INSERT INTO enrollment_tokens (id, customer_id, token_hash, note, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(id, customerId, hashSecret(secret), opts.note ?? '', now, now + (opts.ttlMs ?? DEFAULT_TOKEN_TTL_MS));
  // The record read back by its id (listing every token to find it made 10,000 enrollments take minutes).
  const record = db
    .prepare(
      `SELECT ${TOKEN_COLUMNS} FROM enrollment_tokens WHERE id = ?`,
    )
    .get(id) as EnrollmentToken;
  return { token, record };
}

/** A token is found by the hash of its secret part: the pin after it is not part of what the collector stored. */
function tokenHash(token: string): string {
  return hashSecret(splitEnrollmentToken(token).secret);
}

export function listEnrollmentTokens(db: Db, customerIds?: readonly string[]): EnrollmentToken[] {
  const rows = db
    .prepare(
      `SELECT ${TOKEN_COLUMNS} FROM enrollment_tokens ORDER BY created_at DESC`,
    )
    .all() as EnrollmentToken[];
  return customerIds ? rows.filter((r) => customerIds.includes(r.customerId)) : rows;
}

/**
 * The record of an enrollment token, found by the token itself (never stored; its hash is), or undefined when
 * unknown or of a customer not in customerIds. Used before handing a token to a host, to check its customer.
 */
export function findEnrollmentToken(db: Db, token: string, customerIds?: readonly string[]): EnrollmentToken | undefined {
  const row = db
    .prepare(
      `SELECT ${TOKEN_COLUMNS} FROM enrollment_tokens WHERE token_hash = ?`,
    )
    .get(tokenHash(token)) as EnrollmentToken | undefined;
  if (!row || (customerIds && !customerIds.includes(row.customerId))) return undefined;
  return row;
}

export function revokeEnrollmentToken(db: Db, id: string, now: number, customerIds?: readonly string[]): boolean {
  const t = listEnrollmentTokens(db, customerIds).find((r) => r.id === id);
  if (!t) return false;
  db.prepare('UPDATE enrollment_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id);
  return true;
}

export type EnrollOutcome =
  | { ok: true; agentId: string; agentKey: string; hostId: string; customerId: string }
  | { ok: false; reason: 'unknown-token' | 'token-used' | 'token-expired' | 'token-revoked' };

/** Trade a one-time enrollment token for an agent key; creates the host. Atomic: a token works once. */
export function enrollAgent(db: Db, token: string, hostname: string, now: number): EnrollOutcome {
  return db.transaction((): EnrollOutcome => {
    const row = db
      .prepare('SELECT id, customer_id, expires_at, used_at, revoked_at FROM enrollment_tokens WHERE token_hash = ?')
      .get(tokenHash(token)) as
      | { id: string; customer_id: string; expires_at: number; used_at: number | null; revoked_at: number | null }
      | undefined;
    if (!row) return { ok: false, reason: 'unknown-token' };
    if (row.revoked_at !== null) return { ok: false, reason: 'token-revoked' };
    if (row.used_at !== null) return { ok: false, reason: 'token-used' };
    if (row.expires_at <= now) return { ok: false, reason: 'token-expired' };
    const host = createHost(db, { customerId: row.customer_id, name: hostname, kind: 'agent', now });
    const agentId = randomUUID();
    const agentKey = newSecret('pa');
    db.prepare('INSERT INTO agents (id, customer_id, host_id, key_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
      agentId,
      row.customer_id,
      host.id,
      hashSecret(agentKey),
      now,
    );
    db.prepare('UPDATE enrollment_tokens SET used_at = ?, used_by_agent = ? WHERE id = ?').run(now, agentId, row.id);
    return { ok: true, agentId, agentKey, hostId: host.id, customerId: row.customer_id };
  })();
}

/** The agent a key belongs to, or undefined for an unknown or revoked key. */
export function authenticateAgent(db: Db, agentKey: string): AgentIdentity | undefined {
  const row = db
    .prepare('SELECT id, customer_id, host_id FROM agents WHERE key_hash = ? AND revoked_at IS NULL')
    .get(hashSecret(agentKey)) as { id: string; customer_id: string; host_id: string } | undefined;
  return row ? { agentId: row.id, customerId: row.customer_id, hostId: row.host_id } : undefined;
}

export interface AgentRecord {
  id: string;
  customerId: string;
  hostId: string;
  createdAt: number;
  revokedAt: number | null;
}

export function listAgents(db: Db, customerIds?: readonly string[]): AgentRecord[] {
  const rows = db
    .prepare('SELECT id, customer_id AS customerId, host_id AS hostId, created_at AS createdAt, revoked_at AS revokedAt FROM agents')
    .all() as AgentRecord[];
  return customerIds ? rows.filter((r) => customerIds.includes(r.customerId)) : rows;
}
