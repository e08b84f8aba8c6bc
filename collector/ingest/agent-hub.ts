import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  AgentFrameSchema,
  MAX_FRAME_BYTES,
  parseFrame,
  type BatchFrame,
  type CollectorFrame,
} from '../../shared/protocol.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { authenticateAgent, type AgentIdentity } from '../db/agents.js';
import { getHost, recordHello, setConnected, touchHost } from '../db/hosts.js';
import type { AssignmentSource } from '../assignment/source.js';
import { ingestBatch, type IngestDeps } from './ingest.js';
import { MetricsRejectedError, MetricsStoreUnavailableError } from '../metrics/store.js';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './limits.js';
import { AgentLane } from './agent-lane.js';
import { AssignedChecks } from './assigned-checks.js';
import { outOfWindow } from './time-window.js';
import { RefusalCounter, type RefusalKind } from './refusals.js';
import { TurnTransaction } from './turn-transaction.js';

export interface AgentHubOptions extends Omit<IngestDeps, 'log'> {
  assignments: AssignmentSource;
  batchIntervalSec: number;
  /** Ping period; a connection that misses a pong is dropped (and the host marked disconnected). */
  heartbeatMs?: number;
  /** What one agent may send and how its times may be dated (default DEFAULT_INGEST_LIMITS). */
  limits?: Partial<IngestLimits>;
  /** The rate buckets' clock: real elapsed ms whatever `now` says (tests run the collector at a fixed date). */
  monotonicNow?: () => number;
}

interface AgentConnection {
  ws: WebSocket;
  identity: AgentIdentity;
  ready: boolean;
  alive: boolean;
  log: Logger;
  /** From hello; before it, assume the oldest (the answers it knows are the safe ones). */
  protocol: number;
}

/** Counts for benchmarks and the dashboard. */
export interface HubStats {
  connected: number;
  batchesAcked: number;
  pointsStored: number;
  framesRejected: number;
  framesRateLimited: number;
  resultsUnassigned: number;
  batchesOutOfWindow: number;
}

/** The seq of a frame refused before it is parsed: agents write it first (`{"type":"batch","seq":N,...`). */
function seqOf(text: string): number | undefined {
  const m = /"seq"\s*:\s*(\d{1,15})[,}\s]/.exec(text.slice(0, 200));
  return m ? Number(m[1]) : undefined;
}

const pointsOf = (batch: BatchFrame) => batch.results.reduce((n, r) => n + 1 + r.lines.length, batch.lines.length);

/**
 * The WebSocket edge at /agent: checks the agent key on upgrade (a bad key never gets a socket), validates
 * every frame, and acks a batch only after ingestBatch() made it durable.
 * An agent is held to its own host and rate: its frames are handled one at a time and within its rate (else
 * `rate-limited`, retry later), results only of checks it was told to run are stored (others are dropped and
 * counted), and times must lie within a window around the collector's clock (else `bad-frame`). Refusals are
 * counted per agent (agent_refusals) and shown on the agents page.
 */
export class AgentHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly byHost = new Map<string, AgentConnection>();
  private readonly log = createLogger('agent-hub');
  private heartbeat?: NodeJS.Timeout;
  readonly stats: HubStats = { connected: 0, batchesAcked: 0, pointsStored: 0, framesRejected: 0, framesRateLimited: 0, resultsUnassigned: 0, batchesOutOfWindow: 0 };
  private readonly lastSeenWritten = new Map<string, number>();
  private readonly limits: IngestLimits;
  private readonly lanes = new Map<string, AgentLane>();
  private readonly assigned: AssignedChecks;
  private readonly monotonicNow: () => number;
  readonly refusals: RefusalCounter;
  private readonly turn: TurnTransaction;

  constructor(private readonly opts: AgentHubOptions) {
    this.turn = opts.turn ?? new TurnTransaction(opts.db, this.log);
    this.limits = { ...DEFAULT_INGEST_LIMITS, ...opts.limits };
    this.monotonicNow = opts.monotonicNow ?? (() => performance.now());
    this.assigned = new AssignedChecks({ clockSkewMs: this.limits.clockSkewMs, keepRemovedMs: this.limits.maxBacklogMs });
    this.refusals = new RefusalCounter(opts.db, opts.now);
  }

  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.heartbeat = setInterval(() => this.checkHeartbeats(), this.opts.heartbeatMs ?? 30_000);
    this.heartbeat.unref();
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node's http server drops its own error handler from an upgrading socket: without this, a client that resets
    // the connection while we answer (a refused key, say) throws ECONNRESET out of the process and stops the collector.
    socket.on('error', (err) => this.log.debug({ err: err.message, remote: req.socket.remoteAddress }, 'agent socket error during upgrade'));
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/agent') return refuse(socket, 404, 'Not Found', 'no WebSocket endpoint here; agents connect to /agent');
    const auth = req.headers.authorization ?? '';
    const key = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    if (!key) return refuse(socket, 401, 'Unauthorized', 'missing agent key (Authorization: Bearer <agent key>)');
    const identity = authenticateAgent(this.opts.db, key);
    if (!identity) {
      this.log.warn({ remote: req.socket.remoteAddress }, 'agent connection refused: unknown or revoked key');
      return refuse(socket, 401, 'Unauthorized', 'unknown or revoked agent key');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, identity));
  }

  private onConnection(ws: WebSocket, identity: AgentIdentity): void {
    const log = this.log.child({ agentId: identity.agentId, host: identity.hostId });
    const previous = this.byHost.get(identity.hostId);
    if (previous) previous.ws.close(4000, 'replaced by a newer connection of the same agent');
    const conn: AgentConnection = { ws, identity, ready: false, alive: true, log, protocol: 1 };
    this.byHost.set(identity.hostId, conn);
    this.stats.connected = this.byHost.size;
    ws.on('pong', () => (conn.alive = true));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.reject(conn, 'bad-frame', 'binary frames are not part of the protocol; send JSON text');
      this.onMessage(conn, data.toString());
    });
    ws.on('error', (err) => log.warn({ err: err.message }, 'agent socket error'));
    ws.on('close', (code) => {
      if (this.byHost.get(identity.hostId) === conn) {
        this.byHost.delete(identity.hostId);
        setConnected(this.opts.db, identity.hostId, false);
        const host = { hostId: identity.hostId, customerId: identity.customerId };
        for (const l of this.opts.listeners) l.onAgentDisconnected?.(host, this.opts.now());
      }
      this.stats.connected = this.byHost.size;
      log.info({ code }, 'agent disconnected');
    });
    log.info('agent connected');
  }

  private laneOf(conn: AgentConnection): AgentLane {
    let lane = this.lanes.get(conn.identity.agentId);
    if (!lane) this.lanes.set(conn.identity.agentId, (lane = new AgentLane(this.limits, this.monotonicNow(), conn.log)));
    return lane;
  }

  /** Every frame waits its turn in the agent's lane and pays its rate token there, before any parsing. */
  private onMessage(conn: AgentConnection, text: string): void {
    const lane = this.laneOf(conn);
    const queued = lane.enqueue(async () => {
      // Its connection was replaced or closed while it waited: nobody is there to take the answer, and the agent
      // sends the batch again on its new connection.
      if (conn.ws.readyState !== conn.ws.OPEN) return;
      const wait = await lane.pace(lane.frames, 1, this.monotonicNow);
      if (wait > 0) return this.retryLater(conn, seqOf(text), `more than ${this.limits.framesPerMin} frames a minute`, wait);
      await this.onFrame(conn, lane, text);
    });
    if (!queued) {
      // The frames waiting take at most maxPaceMs each: by then there is room again.
      this.retryLater(conn, seqOf(text), `more than ${this.limits.maxQueuedFrames} frames waiting; wait for an answer before sending more`, this.limits.maxPaceMs);
    }
  }

  private async onFrame(conn: AgentConnection, lane: AgentLane, text: string): Promise<void> {
    const parsed = parseFrame(AgentFrameSchema, text);
    if (!parsed.ok) return this.reject(conn, parsed.code, parsed.message, parsed.seq);
    const frame = parsed.frame;
    const { identity } = conn;
    if (frame.type === 'hello') {
      if (frame.agentId !== identity.agentId) {
        return this.reject(conn, 'bad-frame', 'hello.agentId does not match the agent key');
      }
      const now = this.opts.now();
      recordHello(this.opts.db, identity.hostId, frame.facts, frame.version, now);
      conn.ready = true;
      conn.protocol = frame.protocol;
      const host = getHost(this.opts.db, identity.hostId);
      const checks = host ? this.opts.assignments.forHost(host) : [];
      this.assigned.told(identity.hostId, checks, now);
      this.send(conn, {
        type: 'welcome',
        hostId: identity.hostId,
        checks,
        batchIntervalSec: this.opts.batchIntervalSec,
        serverTime: now,
      });
      for (const l of this.opts.listeners) l.onAgentConnected?.({ hostId: identity.hostId, customerId: identity.customerId }, now);
      conn.log.info({ version: frame.version, hostname: frame.facts.hostname }, 'agent hello');
      return;
    }
    if (!conn.ready) return this.reject(conn, 'not-ready', 'send hello before batches', frame.seq);
    await this.onBatch(conn, lane, frame);
  }

  private async onBatch(conn: AgentConnection, lane: AgentLane, received: BatchFrame): Promise<void> {
    const { identity } = conn;
    const host = { hostId: identity.hostId, customerId: identity.customerId };
    const wait = await lane.pace(lane.points, pointsOf(received), this.monotonicNow);
    if (wait > 0) return this.retryLater(conn, received.seq, `more than ${this.limits.pointsPerMin} points a minute`, wait);
    const now = this.opts.now();
    // Results of checks this host was never told to run are dropped, not the batch: the rest of it is good.
    const results = received.results.filter((r) => this.assigned.allows(identity.hostId, r));
    const unassigned = received.results.length - results.length;
    if (unassigned) {
      const names = [...new Set(received.results.filter((r) => !results.includes(r)).map((r) => `${r.name} (${r.checkId})`))];
      this.stats.resultsUnassigned += unassigned;
      this.refuse(conn, 'unassignedResults', unassigned, `batch ${received.seq}: results of checks not assigned to this host dropped: ${names.slice(0, 5).join(', ')}`);
    }
    const batch = unassigned ? { ...received, results } : received;
    const outside = outOfWindow(batch, now, this.limits);
    if (outside) {
      this.stats.batchesOutOfWindow++;
      this.refuse(conn, outside.kind === 'future' ? 'futureBatches' : 'pastBatches', 1, outside.message);
      return this.send(conn, { type: 'error', code: 'bad-frame', message: outside.message, seq: batch.seq });
    }
    try {
      const { points } = await ingestBatch({ ...this.opts, log: conn.log, markSeen: (id, at) => this.markSeen(id, at), turn: this.turn }, host, batch);
      // Acked once the batch's check states and tickets are committed with the rest of the turn (agent resends otherwise).
      this.turn.afterCommit((err) => {
        if (err) return this.send(conn, { type: 'error', code: 'internal', message: `batch ${batch.seq} not stored: ${err.message}`, seq: batch.seq });
        this.stats.batchesAcked++;
        this.stats.pointsStored += points;
        this.send(conn, { type: 'ack', seq: batch.seq });
      });
    } catch (err) {
      const message = `batch ${batch.seq} not stored: ${(err as Error).message}`;
      if (err instanceof MetricsRejectedError) {
        // The store refused these very points (the wire check should have caught them): they can never be stored.
        this.stats.framesRejected++;
        this.refuse(conn, 'badFrames', 1, message);
        return this.send(conn, { type: 'error', code: 'bad-frame', message, seq: batch.seq });
      }
      conn.log.warn({ err: (err as Error).message, seq: batch.seq }, 'batch not stored; not acked');
      // Not acked: the agent keeps it in its spool and sends it again.
      this.send(conn, { type: 'error', code: err instanceof MetricsStoreUnavailableError ? 'store-unavailable' : 'internal', message, seq: batch.seq });
    }
  }

  /**
   * Not now: the agent keeps the frame and sends it again after `retryAfterMs`. Agents before protocol 3 do not
   * know `rate-limited` (it would leave the batch waiting for an answer forever); `store-unavailable` makes them
   * do the same, with their own back-off.
   */
  private retryLater(conn: AgentConnection, seq: number | undefined, why: string, retryAfterMs: number): void {
    this.stats.framesRateLimited++;
    const message = `rate limited${seq === undefined ? '' : ` (batch ${seq})`}: ${why}; send again in ${retryAfterMs} ms`;
    this.refuse(conn, 'rateLimited', 1, message);
    const code = conn.protocol >= 3 ? 'rate-limited' : 'store-unavailable';
    this.send(conn, { type: 'error', code, message, seq, retryAfterMs });
  }

  private refuse(conn: AgentConnection, kind: RefusalKind, n: number, reason: string): void {
    this.refusals.count(conn.identity.agentId, kind, n, reason, conn.log);
  }

  /** last_seen_at to the second is all that silence detection needs; one write per host per second at most. */
  private markSeen(hostId: string, now: number): void {
    if (now - (this.lastSeenWritten.get(hostId) ?? 0) < 1000) return;
    this.lastSeenWritten.set(hostId, now);
    touchHost(this.opts.db, hostId, now);
  }

  private reject(conn: AgentConnection, code: 'bad-json' | 'bad-frame' | 'not-ready', message: string, seq?: number): void {
    this.stats.framesRejected++;
    if (code === 'not-ready') conn.log.warn({ code, message }, 'frame rejected');
    else this.refuse(conn, 'badFrames', 1, message);
    this.send(conn, { type: 'error', code, message, seq });
  }

  private send(conn: AgentConnection, frame: CollectorFrame): void {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(frame));
  }

  private checkHeartbeats(): void {
    for (const conn of this.byHost.values()) {
      if (!conn.alive) {
        conn.log.warn('no pong from agent; dropping the connection');
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }

  /** Push a changed assignment to a connected agent; false when it is not connected. */
  pushConfig(hostId: string): boolean {
    const conn = this.byHost.get(hostId);
    const host = getHost(this.opts.db, hostId);
    if (!conn || !conn.ready || !host) return false;
    const checks = this.opts.assignments.forHost(host);
    this.assigned.told(hostId, checks, this.opts.now());
    this.send(conn, { type: 'config', checks });
    return true;
  }

  /** Ask a connected agent for a fresh run of all its checks (inspection snapshot). */
  runNow(hostId: string, requestId: string): boolean {
    const conn = this.byHost.get(hostId);
    if (!conn || !conn.ready) return false;
    this.send(conn, { type: 'run-now', requestId });
    return true;
  }

  connectedHostIds(): string[] {
    return [...this.byHost.keys()];
  }

  /** Drop the live connection of an agent whose key was just revoked. */
  disconnectAgent(agentId: string): void {
    for (const conn of this.byHost.values()) if (conn.identity.agentId === agentId) conn.ws.close(4001, 'agent key revoked');
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.turn.commit();
    this.refusals.close();
    for (const conn of this.byHost.values()) conn.ws.close(1001, 'collector shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function refuse(socket: Duplex, status: number, reason: string, message: string): void {
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
