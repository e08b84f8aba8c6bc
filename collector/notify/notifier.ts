import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { getHost } from '../db/hosts.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { customerFilter, customerParam } from '../db/tenancy.js';
import { recipientsOf } from '../oncall/contacts.js';
import { channelsForCustomer, getChannelWithSecret } from './channels.js';
import type { NotificationMessage } from './message.js';
import { HELD_RECOVERY_SQL, PROBLEM_IN_FLIGHT_SQL, PROBLEM_KINDS, type NotificationItem } from './outbox.js';
import { ChannelSender } from './senders.js';
import { ConcurrencyLimit } from '../../shared/concurrency-limit.js';

export interface NotifierOptions {
  db: Db;
  now: () => number;
  log?: Logger;
  /** Items of one host (and tier) queued within this window go out as one message. 60 s by default. */
  coalesceWindowMs?: number;
  /** Wait before retry n (1-based); the number of entries + 1 is the number of attempts. */
  retryDelaysMs?: readonly number[];
  /** Per attempt. */
  timeoutMs?: number;
}

/** 30 s, 2 min, 10 min, 30 min: a receiver that is down for a deploy is retried; a dead one is given up on in ~45 min. */
export const DEFAULT_RETRY_DELAYS_MS = [30_000, 120_000, 600_000, 1_800_000] as const;

export interface DeliveryRecord {
  id: string;
  messageId: string;
  channelId: string;
  customerId: string;
  state: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  sentAt: number | null;
  createdAt: number;
}

/**
 * Turns queued items into messages (coalesced per host and tier) and delivers them to every channel that
 * takes the customer's messages, with bounded retries. Everything is in the database: a restart resumes,
 * a failed delivery stays in the log with its message. Driven by tick(now) on the injected clock.
 */
export class Notifier {
  private readonly db: Db;
  private readonly log: Logger;
  private readonly sender = new ChannelSender();
  private readonly windowMs: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly timeoutMs: number;
  /** One pass at a time: a call that comes while a pass runs waits its turn, so nothing is taken up twice. */
  private readonly oneAtATime = new ConcurrencyLimit(1);

  constructor(private readonly opts: NotifierOptions) {
    this.db = opts.db;
    this.log = opts.log ?? createLogger('notify');
    this.windowMs = opts.coalesceWindowMs ?? 60_000;
    this.retryDelaysMs = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    // A crash mid-send leaves 'sending' rows: send them again (at-least-once beats lost).
    this.db.prepare("UPDATE notification_deliveries SET state = 'pending' WHERE state = 'sending'").run();
  }

  /** Flush due groups and attempt due deliveries. Concurrent calls wait for the running pass. */
  async tick(now: number = this.opts.now()): Promise<void> {
    return this.oneAtATime.run(() => this.pass(now));
  }

  private async pass(now: number): Promise<void> {
    this.flushGroups(now);
    const due = this.db
      .prepare("SELECT id FROM notification_deliveries WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY created_at")
      .all(now) as Array<{ id: string }>;
    if (due.length === 0) return;
    const mark = this.db.prepare("UPDATE notification_deliveries SET state = 'sending' WHERE id = ?");
    this.db.transaction(() => due.forEach((d) => mark.run(d.id)))();
    await Promise.all(
      due.map((d) =>
        this.attempt(d.id, now).catch((err: unknown) => {
          // Only a database failure gets here; put the row back so the next pass retries it.
          this.log.error({ err, deliveryId: d.id }, 'delivery bookkeeping failed');
          this.db.prepare("UPDATE notification_deliveries SET state = 'pending' WHERE id = ? AND state = 'sending'").run(d.id);
        }),
      ),
    );
  }

  /** Turn each host+tier group whose window has passed into one message and its deliveries. */
  private flushGroups(now: number): void {
    this.dropOrphanedRecoveries();
    const groups = this.db
      .prepare(
        `SELECT customer_id AS customerId, host_id AS hostId, tier, MIN(created_at) AS firstAt FROM notification_outbox o
         WHERE state = 'queued' AND NOT ${HELD_RECOVERY_SQL} GROUP BY customer_id, host_id, tier HAVING MIN(created_at) + ? <= ?`,
      )
      .all(this.windowMs, now) as Array<{ customerId: string; hostId: string; tier: 1 | 2 | 3; firstAt: number }>;
    for (const g of groups) {
      this.db.transaction(() => {
        const rows = this.db
          .prepare(
            `SELECT id, item, recipients FROM notification_outbox o
             WHERE state = 'queued' AND customer_id = ? AND host_id = ? AND tier = ? AND NOT ${HELD_RECOVERY_SQL} ORDER BY id`,
          )
          .all(g.customerId, g.hostId, g.tier) as Array<{ id: number; item: string; recipients: string }>;
        const userIds = [...new Set(rows.flatMap((r) => JSON.parse(r.recipients) as string[]))];
        const message: NotificationMessage = {
          id: randomUUID(),
          customerId: g.customerId,
          customerName: getCustomer(this.db, g.customerId)?.name ?? g.customerId,
          hostId: g.hostId,
          hostName: getHost(this.db, g.hostId)?.name ?? g.hostId,
          tier: g.tier,
          items: rows.map((r) => JSON.parse(r.item) as NotificationItem),
          recipients: recipientsOf(this.db, userIds),
          createdAt: now,
        };
        this.db
          .prepare('INSERT INTO notification_messages (id, customer_id, host_id, payload, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(message.id, g.customerId, g.hostId, JSON.stringify(message), now);
        const flushed = this.db.prepare("UPDATE notification_outbox SET state = 'flushed', message_id = ? WHERE id = ?");
        for (const r of rows) flushed.run(message.id, r.id);
        const channels = channelsForCustomer(this.db, g.customerId);
        if (channels.length === 0) this.log.warn({ customerId: g.customerId, messageId: message.id }, 'no notification channel takes this customer');
        const insert = this.db.prepare(
          `INSERT INTO notification_deliveries (id, message_id, channel_id, customer_id, state, next_attempt_at, created_at)
           VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
        );
        for (const c of channels) insert.run(randomUUID(), message.id, c.id, g.customerId, now, now);
      })();
    }
  }

  /**
   * A held recovery whose problem message will never be delivered (every delivery failed for good) is
   * dropped: a recovery only follows a problem message that was actually sent.
   */
  private dropOrphanedRecoveries(): void {
    const orphans = this.db
      .prepare(`SELECT o.id, o.ticket_id AS ticketId FROM notification_outbox o WHERE o.state = 'queued' AND ${HELD_RECOVERY_SQL}`)
      .all() as Array<{ id: number; ticketId: string }>;
    const inFlight = this.db.prepare(`SELECT ${PROBLEM_IN_FLIGHT_SQL} AS inFlight`);
    const cancel = this.db.prepare("UPDATE notification_outbox SET state = 'cancelled' WHERE id = ? AND state = 'queued'");
    for (const o of orphans) {
      if ((inFlight.get({ ticketId: o.ticketId }) as { inFlight: number }).inFlight === 1) continue;
      cancel.run(o.id);
      this.log.warn({ ticketId: o.ticketId, outboxId: o.id }, 'recovery not sent: its problem message was never delivered');
    }
  }

  private async attempt(deliveryId: string, now: number): Promise<void> {
    const d = this.getDelivery(deliveryId)!;
    const channel = getChannelWithSecret(this.db, d.channelId);
    const message = JSON.parse(
      (this.db.prepare('SELECT payload FROM notification_messages WHERE id = ?').get(d.messageId) as { payload: string }).payload,
    ) as NotificationMessage;
    const log = this.log.child({ deliveryId, channelId: d.channelId, messageId: d.messageId, attempt: d.attempts + 1 });
    // The channel was moved to another customer after this delivery was queued: it must not carry this
    // customer's message any more. Given up at once (no retry, nothing sent); the log says why.
    if (channel && channel.customerId !== null && channel.customerId !== d.customerId) {
      const reason = `channel no longer serves customer ${d.customerId}`;
      this.db.prepare("UPDATE notification_deliveries SET state = 'failed', last_error = ? WHERE id = ?").run(reason, deliveryId);
      log.warn({ customerId: d.customerId, channelCustomerId: channel.customerId }, 'notification not sent: ' + reason);
      return;
    }
    let error: string | null = null;
    if (!channel || !channel.enabled) error = 'channel removed or disabled';
    else {
      try {
        await this.sender.send(channel, message, { timeoutMs: this.timeoutMs, now });
      } catch (err) {
        error = (err as Error).message || String(err);
      }
    }
    const attempts = d.attempts + 1;
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO notification_attempts (delivery_id, customer_id, at, ok, error) VALUES (?, ?, ?, ?, ?)')
        .run(deliveryId, d.customerId, now, error === null ? 1 : 0, error);
      if (error === null) {
        this.db
          .prepare("UPDATE notification_deliveries SET state = 'sent', attempts = ?, sent_at = ?, last_error = NULL WHERE id = ?")
          .run(attempts, now, deliveryId);
        // "A recovery message only follows a problem message that was actually sent": remember that it was.
        this.db
          .prepare(
            `UPDATE tickets SET problem_notified = 1 WHERE id IN (
               SELECT ticket_id FROM notification_outbox WHERE message_id = ? AND kind IN (${PROBLEM_KINDS.map((k) => `'${k}'`).join(', ')}))`,
          )
          .run(d.messageId);
        return;
      }
      const delay = this.retryDelaysMs[attempts - 1];
      if (delay === undefined) {
        this.db.prepare("UPDATE notification_deliveries SET state = 'failed', attempts = ?, last_error = ? WHERE id = ?").run(attempts, error, deliveryId);
      } else {
        this.db
          .prepare("UPDATE notification_deliveries SET state = 'pending', attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?")
          .run(attempts, error, now + delay, deliveryId);
      }
    })();
    if (error === null) log.info('notification delivered');
    else if (this.retryDelaysMs[attempts - 1] === undefined) log.error({ err: error }, 'notification delivery failed for good; kept in the delivery log');
    else log.warn({ err: error }, 'notification delivery failed; will retry');
  }

  getDelivery(id: string): DeliveryRecord | undefined {
    return this.db
      .prepare(
        `SELECT id, message_id AS messageId, channel_id AS channelId, customer_id AS customerId, state, attempts,
                next_attempt_at AS nextAttemptAt, last_error AS lastError, sent_at AS sentAt, created_at AS createdAt
         FROM notification_deliveries WHERE id = ?`,
      )
      .get(id) as DeliveryRecord | undefined;
  }

  listDeliveries(opts: { customerIds?: readonly string[]; channelId?: string; limit?: number } = {}): DeliveryRecord[] {
    return listDeliveries(this.db, opts);
  }

  /** Put a failed delivery back in the queue (after fixing the receiver): nothing is lost. */
  retryDelivery(id: string, now: number): boolean {
    return (
      this.db
        .prepare("UPDATE notification_deliveries SET state = 'pending', next_attempt_at = ?, attempts = 0 WHERE id = ? AND state = 'failed'")
        .run(now, id).changes > 0
    );
  }

  sendTest(channelId: string, now: number): Promise<{ ok: true } | { ok: false; error: string }> {
    return sendTestMessage(this.db, channelId, now, { sender: this.sender, timeoutMs: this.timeoutMs });
  }

  async close(): Promise<void> {
    await this.oneAtATime.run(async () => undefined); // the pass under way, and any waiting, finish first
    this.sender.close();
  }
}

const DELIVERY_COLUMNS = `id, message_id AS messageId, channel_id AS channelId, customer_id AS customerId, state, attempts,
  next_attempt_at AS nextAttemptAt, last_error AS lastError, sent_at AS sentAt, created_at AS createdAt`;

/** The delivery log, newest first, tenancy-filtered. */
export function listDeliveries(
  db: Db,
  opts: { customerIds?: readonly string[]; channelId?: string; limit?: number } = {},
): DeliveryRecord[] {
  return db
    .prepare(
      `SELECT ${DELIVERY_COLUMNS} FROM notification_deliveries
       WHERE (@channelId IS NULL OR channel_id = @channelId) AND ${customerFilter('customer_id')}
       ORDER BY created_at DESC, rowid DESC LIMIT @limit`,
    )
    .all({ channelId: opts.channelId ?? null, limit: opts.limit ?? 500, ...customerParam(opts.customerIds) }) as DeliveryRecord[];
}

/** Send a test message straight to one channel (the "test" button); not coalesced, not in the delivery log. */
export async function sendTestMessage(
  db: Db,
  channelId: string,
  now: number,
  opts: { sender?: ChannelSender; timeoutMs?: number } = {},
): Promise<{ ok: true } | { ok: false; error: string }> {
  const channel = getChannelWithSecret(db, channelId);
  if (!channel) return { ok: false, error: 'no such channel' };
  const message: NotificationMessage = {
    id: randomUUID(),
    customerId: channel.customerId ?? '-',
    customerName: channel.customerId ? (getCustomer(db, channel.customerId)?.name ?? channel.customerId) : 'Patrol',
    hostId: '-',
    hostName: 'test',
    tier: 1,
    items: [],
    recipients: [],
    createdAt: now,
  };
  const sender = opts.sender ?? new ChannelSender();
  try {
    await sender.send(channel, message, { timeoutMs: opts.timeoutMs ?? 10_000, now });
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    if (!opts.sender) sender.close();
  }
}
