import type { Db } from '../db/database.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { Notifier } from '../notify/notifier.js';
import { TicketStateEngine } from './state-engine.js';
import { CustomerMailer } from './customer-mail.js';

export interface TicketSystemOptions {
  db: Db;
  now: () => number;
  log?: Logger;
  hostIntervalSec?: (hostId: string, fresh?: boolean) => number | undefined;
  reconnectGraceMs?: number;
  coalesceWindowMs?: number;
  retryDelaysMs?: readonly number[];
  notifyTimeoutMs?: number;
}

export interface TicketSystem {
  /** Register with ingest as an IngestListener. */
  engine: TicketStateEngine;
  notifier: Notifier;
  /** Mails to the customer's people (case numbers, reminders, the notice before a contract closes a case). */
  customerMail: CustomerMailer;
  /** Call every few seconds: host silence, escalation, auto-close, then notification delivery. */
  tick(now?: number): Promise<void>;
  close(): Promise<void>;
}

/** The ticket runtime: the state engine and the notifier (and whatever else runs on the ticket tick), built and ticked in one place. */
export function createTicketSystem(opts: TicketSystemOptions): TicketSystem {
  const log = opts.log ?? createLogger('tickets');
  const engine = new TicketStateEngine({
    db: opts.db,
    now: opts.now,
    log: log.child({ part: 'engine' }),
    hostIntervalSec: opts.hostIntervalSec,
    reconnectGraceMs: opts.reconnectGraceMs,
  });
  const notifier = new Notifier({
    db: opts.db,
    now: opts.now,
    log: log.child({ part: 'notify' }),
    coalesceWindowMs: opts.coalesceWindowMs,
    retryDelaysMs: opts.retryDelaysMs,
    timeoutMs: opts.notifyTimeoutMs,
  });
  const customerMail = new CustomerMailer({ db: opts.db, log: log.child({ part: 'customer-mail' }), timeoutMs: opts.notifyTimeoutMs });
  return {
    engine,
    notifier,
    customerMail,
    async tick(now = opts.now()) {
      try {
        engine.tick(now);
      } catch (err) {
        log.error({ err }, 'ticket tick failed');
      }
      await notifier.tick(now);
      await customerMail.tick(now).catch((err: unknown) => log.error({ err }, 'customer mail pass failed'));
    },
    close: async () => {
      customerMail.close();
      await notifier.close();
    },
  };
}
