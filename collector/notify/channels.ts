import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { secretBoxOf } from '../auth/secret-box.js';

const Lang = z.enum(['zh', 'en']).default('zh');
const HttpUrl = z.url({ protocol: /^https?$/ });

const WebhookConfig = z.object({ url: HttpUrl, headers: z.record(z.string(), z.string().max(2000)).default({}), lang: Lang });
const ChatConfig = z.object({ url: HttpUrl, lang: Lang });
const EmailConfig = z.object({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535).default(587),
  /** true = implicit TLS (465); false = plain, upgraded with STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  user: z.string().max(320).optional(),
  from: z.string().min(3).max(320),
  to: z.array(z.email()).default([]),
  /** Also mail the on-duty people the message is for (their user contact e-mail). */
  notifyOnDuty: z.boolean().default(true),
  tlsRejectUnauthorized: z.boolean().default(true),
  /**
   * Never talk to the server in plaintext when secure is false: STARTTLS is issued even if the server does
   * not advertise it, and the send fails (before AUTH, so the password is never sent) if the upgrade fails.
   * On unless turned off: a relay that only speaks plain SMTP must be allowed by an admin, knowingly.
   */
  requireTls: z.boolean().default(true),
  lang: Lang,
});

export const ChannelConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('webhook'), config: WebhookConfig }),
  z.object({ kind: z.literal('wecom'), config: ChatConfig }),
  z.object({ kind: z.literal('dingtalk'), config: ChatConfig }),
  z.object({ kind: z.literal('feishu'), config: ChatConfig }),
  z.object({ kind: z.literal('slack'), config: ChatConfig }),
  z.object({ kind: z.literal('email'), config: EmailConfig }),
]);
export type ChannelConfig = z.infer<typeof ChannelConfigSchema>;
export type ChannelKind = ChannelConfig['kind'];

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
  kind: ChannelKind;
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
    hasPassword: r.kind === 'email' && r.secret !== null,
    createdAt: r.created_at,
    secret: box.openNullable(r.secret, secretContext(r.id)),
  };
}

function hideSecret(c: ChannelWithSecret): ChannelView {
  const { secret: _secret, ...view } = c;
  return { ...view, ...viewConfig(view) } as ChannelView;
}

/** A webhook header's value as list/get show it: only its name is told (headers carry tokens: Authorization). */
export const STORED_HEADER = '(stored)';
/** A secret part of a URL (query values, a robot's path token, a password) as list/get show it. */
export const URL_MASK = '****';

/**
 * Robot URLs whose last path segment is the token (Feishu/Lark `/open-apis/bot/v2/hook/<token>`, Slack
 * `/services/T.../B.../<token>`); DingTalk (`?access_token=`) and WeCom (`?key=`) carry it in the query.
 */
const TOKEN_IN_PATH = [/^\/open-apis\/bot\/v2\/hook\/[^/]+$/, /^\/services\/[^/]+\/[^/]+\/[^/]+$/];

function viewConfig(c: ChannelConfig): Pick<ChannelConfig, 'config'> {
  if (c.kind === 'email') return { config: c.config };
  const config = { ...c.config, url: maskUrl(c.config.url) };
  if (c.kind === 'webhook') return { config: { ...config, headers: Object.fromEntries(Object.keys(c.config.headers).map((name) => [name, STORED_HEADER])) } };
  return { config };
}

/**
 * The URL with every query value, a robot's path token and any password replaced by URL_MASK: the admin still
 * sees which service and robot it is, a staff member reading the list cannot post to it. Unchanged (same text)
 * when there is nothing to mask.
 */
export function maskUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return URL_MASK;
  }
  let masked = false;
  if (u.password) {
    u.password = URL_MASK;
    masked = true;
  }
  if (u.search.length > 1) {
    const q = new URLSearchParams();
    for (const [name, value] of u.searchParams) q.append(name, value ? URL_MASK : value);
    u.search = q.toString();
    masked = true;
  }
  if (TOKEN_IN_PATH.some((re) => re.test(u.pathname))) {
    u.pathname = u.pathname.replace(/[^/]+$/, URL_MASK);
    masked = true;
  }
  return masked ? u.toString() : url;
}

/** A PATCH value that cannot be right: a masked placeholder with nothing stored behind it. */
export class ChannelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelConfigError';
  }
}

/**
 * The URL a PATCH means: the masked form of the stored URL as GET showed it keeps the stored one; an edited URL
 * that still has masked parts (the host changed, `access_token=****` left alone) gets them from the stored URL.
 */
export function unmaskUrl(sent: string, stored: string): string {
  if (sent === maskUrl(stored)) return stored;
  if (!sent.includes(URL_MASK)) return sent;
  let u: URL;
  let s: URL;
  try {
    u = new URL(sent);
    s = new URL(stored);
  } catch {
    return sent; // not a URL: the config schema says so
  }
  const missing = (what: string) => new ChannelConfigError(`url: ${what} is masked (${URL_MASK}) and there is no stored value for it; type the real one`);
  if (u.password === URL_MASK) {
    if (!s.password) throw missing('the password');
    u.password = s.password;
  }
  if ([...u.searchParams.values()].includes(URL_MASK)) {
    const storedValues = new Map<string, string[]>();
    for (const [name, value] of s.searchParams) storedValues.set(name, [...(storedValues.get(name) ?? []), value]);
    const q = new URLSearchParams();
    for (const [name, value] of u.searchParams) {
      if (value !== URL_MASK) q.append(name, value);
      else {
        const real = storedValues.get(name)?.shift();
        if (real === undefined) throw missing(`query parameter ${name}`);
        q.append(name, real);
      }
    }
    u.search = q.toString();
  }
  if (u.pathname.endsWith(`/${URL_MASK}`)) {
    if (!TOKEN_IN_PATH.some((re) => re.test(s.pathname))) throw missing('the path token');
    u.pathname = u.pathname.slice(0, -URL_MASK.length) + s.pathname.slice(s.pathname.lastIndexOf('/') + 1);
  }
  return u.toString();
}

/**
 * Webhook headers a PATCH sends: a value of STORED_HEADER keeps the stored value of that header (names match
 * case-insensitively, as in HTTP); anything else is the new value; headers left out are dropped, so `{}` clears.
 */
function keepStoredHeaders(sent: unknown, stored: Record<string, string>): unknown {
  if (typeof sent !== 'object' || sent === null || Array.isArray(sent)) return sent; // the schema refuses it
  const storedByName = new Map(Object.entries(stored).map(([name, value]) => [name.toLowerCase(), value]));
  return Object.fromEntries(
    Object.entries(sent).map(([name, value]) => {
      if (value !== STORED_HEADER) return [name, value];
      const real = storedByName.get(name.toLowerCase());
      if (real === undefined) throw new ChannelConfigError(`headers.${name}: "${STORED_HEADER}" keeps a stored value, and none is stored for this header`);
      return [name, real];
    }),
  );
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
  const sent = { ...(p.config ?? {}) };
  if (current.kind !== 'email' && typeof sent.url === 'string') sent.url = unmaskUrl(sent.url, current.config.url);
  if (current.kind === 'webhook' && sent.headers !== undefined) sent.headers = keepStoredHeaders(sent.headers, current.config.headers);
  const next = ChannelConfigSchema.parse({ kind: current.kind, config: { ...current.config, ...sent } });
  const missing = secretsNotGivenAgain(current, next, p);
  if (missing) throw new ChannelSecretRequiredError(missing);
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

/**
 * What a PATCH must repeat when it changes where a channel delivers, or undefined. Otherwise an admin (or
 * whoever holds an admin's session) could point a channel at a server of their own and read its stored
 * password, signing secret, header tokens or URL token off the wire. Where: a URL (any part of it; a path
 * change on a shared webhook service is another tenant), or an SMTP server's host, port, TLS mode and
 * recipients; switching off requireTls or certificate checks counts too (the password could then be read on
 * the way). Given again means: the new URL typed in full (no masked parts taken from the stored one), the
 * webhook's headers given (or `{}` to drop them) with no "(stored)" values, and `secret` in the same request
 * (or null to remove it).
 */
function secretsNotGivenAgain(current: ChannelWithSecret, next: ChannelConfig, p: z.output<typeof ChannelPatchSchema>): string | undefined {
  const needs: string[] = [];
  const secretNeeded = current.secret !== null && p.secret === undefined;
  if (current.kind === 'email' && next.kind === 'email') {
    const a = current.config;
    const b = next.config;
    const moved =
      a.host !== b.host ||
      a.port !== b.port ||
      a.secure !== b.secure ||
      (a.requireTls && !b.requireTls) ||
      (a.tlsRejectUnauthorized && !b.tlsRejectUnauthorized) ||
      [...b.to].sort().join(',') !== [...a.to].sort().join(',');
    if (moved && secretNeeded) needs.push('the SMTP password (`secret`)');
  } else if (current.kind !== 'email' && next.kind !== 'email' && current.config.url !== next.config.url) {
    const sentUrl = p.config?.url;
    if (typeof sentUrl === 'string' && sentUrl.includes(URL_MASK)) needs.push(`the full URL (its masked ${URL_MASK} parts are not carried to a new URL)`);
    if (current.kind === 'webhook' && Object.keys(current.config.headers).length > 0) {
      const sentHeaders = p.config?.headers;
      const repeated = typeof sentHeaders === 'object' && sentHeaders !== null && !Object.values(sentHeaders).includes(STORED_HEADER);
      if (!repeated) needs.push(`the headers (\`config.headers\` with their values, not "${STORED_HEADER}"; {} drops them)`);
    }
    if (secretNeeded) needs.push('the signing secret (`secret`)');
  }
  return needs.length ? needs.join(', ') : undefined;
}

export function deleteChannel(db: Db, id: string, customerIds?: readonly string[]): boolean {
  if (!getChannel(db, id, customerIds)) return false;
  // The delivery log keeps its rows (and so the channel): disable instead of deleting history.
  const used = db.prepare('SELECT 1 FROM notification_deliveries WHERE channel_id = ? LIMIT 1').get(id);
  if (used) db.prepare('UPDATE notification_channels SET enabled = 0 WHERE id = ?').run(id);
  else db.prepare('DELETE FROM notification_channels WHERE id = ?').run(id);
  return true;
}
