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
import type { Db } from '../db/database.js';
import { authenticateAgent, type AgentIdentity } from '../db/agents.js';
import { getHost, recordHello, setConnected, touchHost } from '../db/hosts.js';
import type { AssignmentSource } from '../assignment/source.js';
import { ingestBatch, type IngestDeps } from './ingest.js';
import { MetricsStoreUnavailableError } from '../metrics/store.js';

export interface AgentHubOptions extends Omit<IngestDeps, 'log'> {
  assignments: AssignmentSource;
  batchIntervalSec: number;
  /** Ping period; a connection that misses a pong is dropped (and the host marked disconnected). */
  heartbeatMs?: number;
}

interface AgentConnection {
  ws: WebSocket;
  identity: AgentIdentity;
  ready: boolean;
  alive: boolean;
  log: Logger;
}

/** Counts for benchmarks and the dashboard. */
export interface HubStats {
  connected: number;
  batchesAcked: number;
  pointsStored: number;
  framesRejected: number;
}

/**
 * The WebSocket edge at /agent: checks the agent key on upgrade (a bad key never gets a socket), validates
 * every frame, and acks a batch only after ingestBatch() made it durable.
 */
export class AgentHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly byHost = new Map<string, AgentConnection>();
  private readonly log = createLogger('agent-hub');
  private heartbeat?: NodeJS.Timeout;
  readonly stats: HubStats = { connected: 0, batchesAcked: 0, pointsStored: 0, framesRejected: 0 };
  private readonly lastSeenWritten = new Map<string, number>();

  constructor(private readonly opts: AgentHubOptions) {}

  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.heartbeat = setInterval(() => this.checkHeartbeats(), this.opts.heartbeatMs ?? 30_000);
    this.heartbeat.unref();
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
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
    const conn: AgentConnection = { ws, identity, ready: false, alive: true, log };
    this.byHost.set(identity.hostId, conn);
    this.stats.connected = this.byHost.size;
    ws.on('pong', () => (conn.alive = true));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.reject(conn, 'bad-frame', 'binary frames are not part of the protocol; send JSON text');
      void this.onFrame(conn, data.toString());
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

  private async onFrame(conn: AgentConnection, text: string): Promise<void> {
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
      const host = getHost(this.opts.db, identity.hostId);
      this.send(conn, {
        type: 'welcome',
        hostId: identity.hostId,
        checks: host ? this.opts.assignments.forHost(host) : [],
        batchIntervalSec: this.opts.batchIntervalSec,
        serverTime: now,
      });
      for (const l of this.opts.listeners) l.onAgentConnected?.({ hostId: identity.hostId, customerId: identity.customerId }, now);
      conn.log.info({ version: frame.version, hostname: frame.facts.hostname }, 'agent hello');
      return;
    }
    if (!conn.ready) return this.reject(conn, 'not-ready', 'send hello before batches', frame.seq);
    await this.onBatch(conn, frame);
  }

  private async onBatch(conn: AgentConnection, batch: BatchFrame): Promise<void> {
    const host = { hostId: conn.identity.hostId, customerId: conn.identity.customerId };
    try {
      const { points } = await ingestBatch({ ...this.opts, log: conn.log, markSeen: (id, now) => this.markSeen(id, now) }, host, batch);
      this.stats.batchesAcked++;
      this.stats.pointsStored += points;
      this.send(conn, { type: 'ack', seq: batch.seq });
    } catch (err) {
      const unavailable = err instanceof MetricsStoreUnavailableError;
      conn.log.warn({ err: (err as Error).message, seq: batch.seq }, 'batch not stored; not acked');
      // Not acked: the agent keeps it in its spool and sends it again.
      this.send(conn, {
        type: 'error',
        code: unavailable ? 'store-unavailable' : 'internal',
        message: `batch ${batch.seq} not stored: ${(err as Error).message}`,
        seq: batch.seq,
      });
    }
  }

  /** last_seen_at to the second is all that silence detection needs; one write per host per second at most. */
  private markSeen(hostId: string, now: number): void {
    if (now - (this.lastSeenWritten.get(hostId) ?? 0) < 1000) return;
    this.lastSeenWritten.set(hostId, now);
    touchHost(this.opts.db, hostId, now);
  }

  private reject(conn: AgentConnection, code: 'bad-json' | 'bad-frame' | 'not-ready', message: string, seq?: number): void {
    this.stats.framesRejected++;
    conn.log.warn({ code, message }, 'frame rejected');
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
    this.send(conn, { type: 'config', checks: this.opts.assignments.forHost(host) });
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
