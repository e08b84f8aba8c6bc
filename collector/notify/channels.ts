import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { secretBoxOf } from '../auth/secret-box.js';
import { ChannelConfigError, ChannelConfigSchema, kindOf, type ChannelConfig, type ChannelKindName } from './kinds/index.js';

/**
 * The store of notification channels. What a kind's config holds, how it is masked and what a change must repeat
 * is the kind's own (kinds/<kind>.ts, listed in kinds/index.ts); the names tests and rooms import stay here.
 */
export { ChannelConfigSchema, ChannelConfigError, maskUrl, unmaskUrl, STORED_HEADER, URL_MASK, type ChannelConfig, type ChannelKindName } from './kinds/index.js';

export const ChannelInputSchema = z.intersection(
  ChannelConfigSchema,
  z.object({
    /** null = company-wide: every customer's tickets. */
    customerId: z.string().min(1).nullable().default(null),
    name: z.string().min(1).max(200),
    /** SMTP password, or the DingTalk/Feishu signing secret. Stored, never returned. */
    secret: z.string().max(1000).nullable().optional(),
    enabled: z.boolean().default(true),
  }),
);
export type ChannelInput = z.input<typeof ChannelInputSchema>;

/**
 * What list/get return: the secret is never included, only whether one is stored. Webhook header values are
 * shown as STORED_HEADER and the secret parts of URLs as URL_MASK (see viewConfig); both may be sent back unchanged
 * in a PATCH, which then keeps the stored value.
 */
export type ChannelView = ChannelConfig & {
  id: string;
  customerId: string | null;
  name: string;
  enabled: boolean;
  hasSecret: boolean;
  hasPassword: boolean;
  createdAt: number;
};

/** For the sender only. */
export type ChannelWithSecret = ChannelView & { secret: string | null };

interface Row {
  id: string;
  customer_id: string | null;
  name: string;
  kind: ChannelKindName;
  config: string;
  secret: string | null;
  enabled: number;
  created_at: number;
}

/**
 * Where a channel's sealed columns live (GCM additional data): a sealed config or secret copied into another
 * channel's row does not open there. The whole config is sealed, not only its secret parts: URLs carry robot
 * tokens and webhook headers carry bearer tokens. Migration 060 seals with the same contexts.
 */
const configContext = (id: string) => `notification_channels.config:${id}`;
const secretContext = (id: string) => `notification_channels.secret:${id}`;

function toChannel(db: Db, r: Row): ChannelWithSecret {
  const box = secretBoxOf(db);
  const parsed = ChannelConfigSchema.parse({ kind: r.kind, config: JSON.parse(box.open(r.config, configContext(r.id))) });
  return {
    ...parsed,
    id: r.id,
    customerId: r.customer_id,
    name: r.name,
    enabled: r.enabled === 1,
    hasSecret: r.secret !== null,
    hasPassword: kindOf(r.kind).secret?.field === 'password' && r.secret !== null,
    createdAt: r.created_at,
    secret: box.openNullable(r.secret, secretContext(r.id)),
  };
}

function hideSecret(c: ChannelWithSecret): ChannelView {
  const { secret: _secret, ...view } = c;
  return { ...view, config: kindOf(view.kind).view(view.config) } as ChannelView;
}

/**
 * Why a caller may not point a channel at a customer (null = all customers), or undefined when they may.
 * 'not-found': the customer does not exist or the caller does not see it (the same answer for both, so a
 * caller learns nothing about customers it does not see). 'forbidden': company-wide (null) for a caller
 * restricted to some customers; as with reading (visible()), company-wide channels are for unrestricted
 * callers (admins) only.
 */
export function channelCustomerProblem(db: Db, customerId: string | null, customerIds?: readonly string[]): 'not-found' | 'forbidden' | undefined {
  if (customerId === null) return customerIds ? 'forbidden' : undefined;
  if (!getCustomer(db, customerId) || (customerIds && !customerIds.includes(customerId))) return 'not-found';
  return undefined;
}

/** A channel pointed at a customer the caller may not use (see channelCustomerProblem). */
export class ChannelCustomerError extends Error {
  constructor(
    readonly problem: 'not-found' | 'forbidden',
    readonly customerId: string | null,
  ) {
    super(problem === 'not-found' ? 'customer not found' : 'only admins make channels for all customers');
    this.name = 'ChannelCustomerError';
  }
}

function assertCustomer(db: Db, customerId: string | null, customerIds?: readonly string[]): void {
  const problem = channelCustomerProblem(db, customerId, customerIds);
  if (problem) throw new ChannelCustomerError(problem, customerId);
}

/** Throws ChannelCustomerError for an unknown customer (instead of the database's foreign-key error). */
export function createChannel(db: Db, input: ChannelInput, now: number, customerIds?: readonly string[]): ChannelView {
  const c = ChannelInputSchema.parse(input);
  assertCustomer(db, c.customerId, customerIds);
  const id = randomUUID();
  const box = secretBoxOf(db);
  db.prepare(
    'INSERT INTO notification_channels (id, customer_id, name, kind, config, secret, enabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(id, c.customerId, c.name, c.kind, box.seal(JSON.stringify(c.config), configContext(id)), box.sealNullable(c.secret ?? null, secretContext(id)), c.enabled ? 1 : 0, now);
  return getChannel(db, id)!;
}

/** Channels a caller may see: company-wide ones only for admins (customerIds undefined). */
function visible(r: Row, customerIds?: readonly string[]): boolean {
  if (!customerIds) return true;
  return r.customer_id !== null && customerIds.includes(r.customer_id);
}

export function listChannels(db: Db, customerIds?: readonly string[]): ChannelView[] {
  const rows = db.prepare('SELECT * FROM notification_channels ORDER BY created_at').all() as Row[];
  return rows.filter((r) => visible(r, customerIds)).map((r) => hideSecret(toChannel(db, r)));
}

export function getChannel(db: Db, id: string, customerIds?: readonly string[]): ChannelView | undefined {
  const c = getChannelWithSecret(db, id, customerIds);
  return c ? hideSecret(c) : undefined;
}

export function getChannelWithSecret(db: Db, id: string, customerIds?: readonly string[]): ChannelWithSecret | undefined {
  const r = db.prepare('SELECT * FROM notification_channels WHERE id = ?').get(id) as Row | undefined;
  return r && visible(r, customerIds) ? toChannel(db, r) : undefined;
}

/** Enabled channels that take a customer's messages: its own and the company-wide ones. */
export function channelsForCustomer(db: Db, customerId: string): ChannelWithSecret[] {
  return (
    db
      .prepare('SELECT * FROM notification_channels WHERE enabled = 1 AND (customer_id IS NULL OR customer_id = ?) ORDER BY created_at')
      .all(customerId) as Row[]
  ).map((r) => toChannel(db, r));
}

/** Unknown keys are refused (a typo must not be a silent no-op). */
export const ChannelPatchSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    enabled: z.boolean().optional(),
    /**
     * Merged into the stored config. A webhook's `headers`: left out keeps them, given replaces them (a value of
     * STORED_HEADER keeps that one), `{}` clears them. A `url` still masked as GET showed it keeps the stored URL.
     */
    config: z.record(z.string(), z.unknown()).optional(),
    /** undefined keeps the stored secret; null clears it. */
    secret: z.string().max(1000).nullable().optional(),
    /** Which customer's tickets the channel serves: undefined keeps it; null = all customers. */
    customerId: z.string().min(1).nullable().optional(),
  })
  .strict();

/**
 * Change a channel the caller sees (undefined when there is none). A new customer must exist and be one the
 * caller sees, and "all customers" is for unrestricted callers only: else ChannelCustomerError. Deliveries
 * already queued for a customer the channel no longer serves are not sent (the notifier checks on each attempt).
 */
export function updateChannel(db: Db, id: string, patch: z.input<typeof ChannelPatchSchema>, customerIds?: readonly string[]): ChannelView | undefined {
  const current = getChannelWithSecret(db, id, customerIds);
  if (!current) return undefined;
  const p = ChannelPatchSchema.parse(patch);
  const customerId = p.customerId === undefined ? current.customerId : p.customerId;
  if (customerId !== current.customerId) assertCustomer(db, customerId, customerIds);
  const kind = kindOf(current.kind);
  const sent = kind.unmask({ ...(p.config ?? {}) }, current.config);
  const next = ChannelConfigSchema.parse({ kind: current.kind, config: { ...current.config, ...sent } });
  const missing = kind.secretsToRepeat(current, next.config, p);
  if (missing.length) throw new ChannelSecretRequiredError(missing.join(', '));
  const box = secretBoxOf(db);
  db.prepare('UPDATE notification_channels SET name = ?, enabled = ?, config = ?, secret = ?, customer_id = ? WHERE id = ?').run(
    p.name ?? current.name,
    (p.enabled ?? current.enabled) ? 1 : 0,
    box.seal(JSON.stringify(next.config), configContext(id)),
    box.sealNullable(p.secret === undefined ? current.secret : p.secret, secretContext(id)),
    customerId,
    id,
  );
  return getChannel(db, id);
}

/** A PATCH that sends a channel somewhere new without giving its stored secrets again. */
export class ChannelSecretRequiredError extends ChannelConfigError {
  constructor(what: string) {
    super(`the channel's destination changed, so ${what} must be given again in the same request: stored secrets are never sent to a new destination`);
    this.name = 'ChannelSecretRequiredError';
  }
}

export function deleteChannel(db: Db, id: string, customerIds?: readonly string[]): boolean {
  if (!getChannel(db, id, customerIds)) return false;
  // The delivery log keeps its rows (and so the channel): disable instead of deleting history.
  const used = db.prepare('SELECT 1 FROM notification_deliveries WHERE channel_id = ? LIMIT 1').get(id);
  if (used) db.prepare('UPDATE notification_channels SET enabled = 0 WHERE id = ?').run(id);
  else db.prepare('DELETE FROM notification_channels WHERE id = ?').run(id);
  return true;
}
