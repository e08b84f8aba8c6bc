import type { Db } from '../../db/database.js';
import type { IngestListener, IngestedHost } from '../../ingest/listener.js';
import type { CheckResultHead } from '../../../shared/check-result.js';
import { worstStatus, type Status } from '../../../shared/status.js';
import { createLogger } from '../../../shared/logger.js';
import { hostCheckStatuses } from '../../db/host-status.js';
import { latestTicketEventId, ticketChangesSince } from '../../tickets/ticket-changes.js';
import { renderCheckMessage } from '../../../checks/messages.js';

const log = createLogger('dashboard.live');

/**
 * A host's worst state, and the checks of the batch that moved it. `summary` is the English fallback, `text` the
 * result in each page language (checks/messages.ts); both are check output: the client puts them in as text.
 */
export interface HostLiveEvent {
  type: 'host';
  hostId: string;
  status: Status;
  connected?: boolean;
  checks?: Array<{ name: string; status: Status; summary: string; text: { zh: string; en: string } }>;
}

export interface TicketLiveEvent {
  type: 'ticket';
  number: string;
  hostId: string;
  state: string;
  severity: string;
  /** The timeline entry that announced the change (acknowledged, result, recovered...). */
  kind: string;
}

export type LiveEvent = HostLiveEvent | TicketLiveEvent;

/** One open browser stream: which customers it may hear of (undefined = all, admin). */
export interface LiveSubscriber {
  customerIds: readonly string[] | undefined;
  send(event: LiveEvent): void;
}

/** 1 s: ticket changes come from request handlers and listeners alike; one indexed read of new timeline rows finds them all. */
const TICKET_POLL_MS = 1000;

/**
 * The dashboard's live feed. Host changes arrive as an IngestListener (agents and the agentless poller both
 * ingest through it); ticket changes are read from the ticket timeline (every change adds a row), so
 * whoever changed a ticket need not know about the dashboard. Every event carries its customer and goes
 * only to subscribers who may see that customer: tenancy is decided here, once, on the server.
 */
export class LiveFeed {
  private readonly subscribers = new Set<LiveSubscriber>();
  private lastTicketEventId: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Db) {
    this.lastTicketEventId = latestTicketEventId(db);
  }

  subscribe(s: LiveSubscriber): () => void {
    this.subscribers.add(s);
    if (!this.timer) {
      // Start from now: a page that just rendered already shows everything older.
      this.lastTicketEventId = latestTicketEventId(this.db);
      this.timer = setInterval(() => this.pollTickets(), TICKET_POLL_MS);
      this.timer.unref();
    }
    return () => {
      this.subscribers.delete(s);
      if (this.subscribers.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  publish(customerId: string, event: LiveEvent): void {
    for (const s of this.subscribers) {
      if (s.customerIds && !s.customerIds.includes(customerId)) continue;
      try {
        s.send(event);
      } catch (err) {
        log.warn({ err }, 'live subscriber send failed');
      }
    }
  }

  /** New ticket timeline rows since the last look, one event per ticket with its current state. */
  pollTickets(): void {
    if (this.subscribers.size === 0) return;
    const rows = ticketChangesSince(this.db, this.lastTicketEventId, 1000);
    if (!rows.length) return;
    this.lastTicketEventId = rows[rows.length - 1]!.id;
    const latest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) latest.set(r.number, r);
    for (const r of latest.values()) {
      this.publish(r.customerId, { type: 'ticket', number: r.number, hostId: r.hostId, state: r.state, severity: r.severity, kind: r.kind });
    }
  }

  private hostStatus(hostId: string): Status {
    const statuses = hostCheckStatuses(this.db, hostId);
    return statuses.length ? worstStatus(statuses) : 'UNKNOWN';
  }

  /** The ingest side: results (already in check_states when this runs) and agent connections. */
  listener(): IngestListener {
    return {
      onResults: (host: IngestedHost, results: readonly CheckResultHead[]) => {
        if (this.subscribers.size === 0) return;
        this.publish(host.customerId, {
          type: 'host',
          hostId: host.hostId,
          status: this.hostStatus(host.hostId),
          checks: results.map((r) => ({ name: r.name, status: r.status, summary: r.summary, text: { zh: renderCheckMessage('zh', r.message, r.summary), en: renderCheckMessage('en', r.message, r.summary) } })),
        });
        // The ticket engine may have just changed a ticket for these results: tell now, not on the next poll.
        this.pollTickets();
      },
      onAgentConnected: (host) => {
        if (this.subscribers.size) this.publish(host.customerId, { type: 'host', hostId: host.hostId, status: this.hostStatus(host.hostId), connected: true });
      },
      onAgentDisconnected: (host) => {
        if (this.subscribers.size) this.publish(host.customerId, { type: 'host', hostId: host.hostId, status: this.hostStatus(host.hostId), connected: false });
      },
    };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.subscribers.clear();
  }
}
