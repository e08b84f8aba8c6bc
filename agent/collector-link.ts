import WebSocket from 'ws';
import {
  CollectorFrameSchema,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  parseFrame,
  type CollectorFrame,
  type WelcomeFrame,
} from '../shared/protocol.js';
import type { HostFacts } from '../shared/host-facts.js';
import type { CheckAssignment } from '../shared/assignment.js';
import type { CollectorClockOffset } from '../checks/define.js';
import { createLogger } from '../shared/logger.js';
import { Backoff } from './backoff.js';
import type { Spool } from './spool.js';

const log = createLogger('agent.link');

export interface LinkOptions {
  url: string;
  agentKey: string;
  agentId: string;
  version: string;
  facts: () => HostFacts;
  spool: Spool;
  onWelcome(w: WelcomeFrame): void;
  onConfig(checks: CheckAssignment[]): void;
  onRunNow(requestId: string): void;
  /** Batches in flight at once; also paces a long replay (each waits for an ack slot). */
  maxInFlight?: number;
  /** After a "store unavailable" answer, wait this long before re-sending (doubles up to 30 s). */
  retryDelayMs?: number;
  /** PEM of the CA that signed the collector's certificate (wss:// to a collector with its own or a private CA). */
  ca?: Buffer;
  /**
   * Where the CA comes from when it must be fetched first (a pin the agent was told but has not turned into a CA
   * yet): asked before each connection attempt until it answers; while it fails, nothing connects and the spool
   * keeps the results. Wins over `ca`.
   */
  resolveCa?: () => Promise<Buffer | undefined>;
  /** This host's clock, for the collector clock estimate (the agent's injected clock). */
  now?: () => number;
  /**
   * A connection the collector says nothing on for this long is dead and dropped (then reconnected). The collector
   * pings every 30 s; a link that fails without a reset (a cut cable, a firewall dropping state) otherwise looks
   * open to the agent until TCP gives up, about 15 minutes, while its batches wait unacked. Default 100 s.
   */
  silenceMs?: number;
}

/**
 * The agent's side of the wire: connects with its key, says hello, sends spooled batches and forgets
 * them on ack. Reconnects forever with backoff. After an outage the backlog (spooled before this
 * connection) replays oldest first, taking turns with live batches so that live results keep flowing while
 * it drains (icinga2#10030); the window of batches in flight paces the replay.
 */
export class CollectorLink {
  private ws?: WebSocket;
  private welcomed = false;
  private stopped = false;
  private readonly inFlight = new Set<number>();
  private readonly backoff = new Backoff();
  private reconnectTimer?: NodeJS.Timeout;
  private pauseUntil = 0;
  private retryDelayMs: number;
  private pumpTimer?: NodeJS.Timeout;
  /** Fires only when the collector has been silent for silenceMs: re-armed by each ping or frame, so no wake-ups. */
  private silenceTimer?: NodeJS.Timeout;
  /** Batches below this were spooled before the current connection: the backlog to replay. */
  private backlogEnd = 0;
  private preferLive = true;
  /** When this connection's hello went out, on this host's clock. */
  private helloSentAt?: number;
  /**
   * The collector's clock against ours, from the latest hello -> welcome exchange (kept after a disconnect: clocks
   * drift slowly, and the next welcome replaces it). Undefined until the first welcome.
   */
  collectorClock?: CollectorClockOffset;
  /** Why the last connection attempt failed; surfaced in logs and status. */
  lastError = '';
  acked = 0;

  constructor(private readonly opts: LinkOptions) {
    this.retryDelayMs = opts.retryDelayMs ?? 1000;
  }

  start(): void {
    this.connect();
  }

  get connected(): boolean {
    return this.welcomed;
  }

  private connect(): void {
    if (this.stopped) return;
    if (!this.opts.resolveCa) return this.open(this.opts.ca);
    this.opts.resolveCa().then(
      (ca) => this.open(ca),
      (err: Error) => {
        // A pin that does not match is an attack or a misaddressed agent: keep results spooled, never fall back.
        this.lastError = err.message;
        const delay = this.backoff.next();
        log.error({ err: err.message, retryInMs: delay }, 'cannot establish the collector CA; not connecting');
        if (!this.stopped) this.reconnectTimer = setTimeout(() => this.connect(), delay);
      },
    );
  }

  private open(ca: Buffer | undefined): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.opts.url, {
      headers: { authorization: `Bearer ${this.opts.agentKey}` },
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: 15_000,
      // With a CA, only that CA is trusted (Node then ignores its built-in roots); redirects are never followed.
      ca,
      followRedirects: false,
    });
    this.ws = ws;
    ws.on('open', () => {
      log.info({ url: this.opts.url }, 'connected to collector');
      const silenceMs = this.opts.silenceMs ?? 100_000;
      clearTimeout(this.silenceTimer);
      this.silenceTimer = setTimeout(() => {
        if (this.ws !== ws) return;
        this.lastError = `no word from the collector in ${Math.round(silenceMs / 1000)} s`;
        log.warn({ silenceMs }, 'the collector went silent (no ping, no answer): dropping the connection to reconnect');
        ws.terminate();
      }, silenceMs);
      this.silenceTimer.unref?.();
      this.helloSentAt = this.now();
      ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, agentId: this.opts.agentId, version: this.opts.version, facts: this.opts.facts() }));
    });
    ws.on('ping', () => {
      if (this.ws === ws) this.silenceTimer?.refresh();
    });
    ws.on('unexpected-response', (_req, res) => {
      this.lastError = `collector refused the connection: HTTP ${res.statusCode}`;
      if (res.statusCode === 401) log.error('collector refused the agent key (revoked or unknown); enroll again with a new token');
      else log.warn({ status: res.statusCode }, 'collector refused the connection');
      ws.terminate();
    });
    // Only the current connection speaks for the collector (a closing one may still deliver a frame).
    ws.on('message', (data) => {
      if (this.ws !== ws) return;
      this.silenceTimer?.refresh();
      this.onMessage(data.toString());
    });
    ws.on('error', (err) => {
      this.lastError = err.message;
      log.debug({ err: err.message }, 'connection error');
    });
    ws.on('close', (code, reason) => {
      if (this.ws === ws) clearTimeout(this.silenceTimer);
      this.welcomed = false;
      this.inFlight.clear();
      if (this.ws === ws) this.ws = undefined;
      if (this.stopped) return;
      const delay = this.backoff.next();
      log.warn({ code, reason: reason.toString(), retryInMs: delay, lastError: this.lastError }, 'disconnected from collector');
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private onMessage(text: string): void {
    const parsed = parseFrame(CollectorFrameSchema, text);
    if (!parsed.ok) {
      log.warn({ message: parsed.message }, 'bad frame from collector ignored');
      return;
    }
    this.onFrame(parsed.frame);
  }

  /**
   * Frames come only over the connection that carried our key and (wss) proved the pinned CA. Before the welcome
   * only a welcome or an error is expected; acks and errors name a batch in flight on this connection, so a stray
   * frame can neither change checks early nor drop a batch that was never sent.
   */
  private onFrame(f: CollectorFrame): void {
    if (!this.welcomed && f.type !== 'welcome' && f.type !== 'error') {
      log.warn({ type: f.type }, 'frame before welcome ignored');
      return;
    }
    if ((f.type === 'ack' || (f.type === 'error' && f.seq !== undefined)) && !this.inFlight.has(f.seq!)) {
      log.warn({ type: f.type, seq: f.seq }, 'answer for a batch not in flight ignored');
      return;
    }
    switch (f.type) {
      case 'welcome':
        this.measureClock(f.serverTime);
        this.welcomed = true;
        this.backlogEnd = this.opts.spool.nextSeq();
        this.backoff.reset();
        this.opts.onWelcome(f);
        this.pump();
        return;
      case 'ack':
        this.inFlight.delete(f.seq);
        this.opts.spool.ack(f.seq);
        this.acked++;
        this.retryDelayMs = this.opts.retryDelayMs ?? 1000;
        this.pump();
        return;
      case 'config':
        this.opts.onConfig(f.checks);
        return;
      case 'run-now':
        this.opts.onRunNow(f.requestId);
        return;
      case 'error':
        log.warn({ code: f.code, message: f.message, seq: f.seq }, 'collector reported an error');
        if (f.seq === undefined) return;
        this.inFlight.delete(f.seq);
        if (f.code === 'bad-frame' || f.code === 'bad-json') {
          // The collector will never accept this batch; keeping it would block the spool forever.
          this.opts.spool.reject(f.seq);
          this.pump();
        } else {
          // Store down, an internal error or over this agent's rate: keep the batch, wait, send again. A rate limit
          // says how long; it is no sign of trouble, so the back-off for the others does not grow.
          const limited = f.code === 'rate-limited' && f.retryAfterMs !== undefined;
          this.pauseUntil = Date.now() + (limited ? f.retryAfterMs! : this.retryDelayMs);
          if (!limited) this.retryDelayMs = Math.min(30_000, this.retryDelayMs * 2);
          this.schedulePump(this.pauseUntil - Date.now());
        }
    }
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /**
   * The collector stamped serverTime between our hello and its welcome; taking the midpoint of that round trip as
   * the moment it did (as NTP does) leaves an error of at most half the round trip.
   */
  private measureClock(serverTime: number): void {
    const receivedAt = this.now();
    const sentAt = this.helloSentAt ?? receivedAt;
    this.collectorClock = { offsetMs: serverTime - (sentAt + receivedAt) / 2, rttMs: receivedAt - sentAt, measuredAt: receivedAt };
    if (Math.abs(this.collectorClock.offsetMs) > 2000) {
      log.warn({ offsetMs: Math.round(this.collectorClock.offsetMs), rttMs: this.collectorClock.rttMs }, 'this host clock differs from the collector clock');
    }
  }

  private schedulePump(delayMs: number): void {
    clearTimeout(this.pumpTimer);
    this.pumpTimer = setTimeout(() => this.pump(), Math.max(0, delayMs));
    this.pumpTimer.unref?.();
  }

  /** Send spooled batches while there is room in the window. Call after anything was spooled. */
  pump(): void {
    if (!this.welcomed || !this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    const wait = this.pauseUntil - Date.now();
    if (wait > 0) return this.schedulePump(wait);
    const max = this.opts.maxInFlight ?? 4;
    while (this.inFlight.size < max) {
      const pending = this.opts.spool.pending().filter((s) => !this.inFlight.has(s));
      if (!pending.length) return;
      // Both queues go oldest first; taking from each in turn keeps live results flowing during a replay.
      const live = pending.find((s) => s >= this.backlogEnd);
      const backlog = pending[0]! < this.backlogEnd ? pending[0]! : undefined;
      const seq = live !== undefined && (this.preferLive || backlog === undefined) ? live : backlog!;
      this.preferLive = !this.preferLive;
      const text = this.opts.spool.frameText(seq);
      if (text === undefined) continue;
      if (Buffer.byteLength(text) > MAX_FRAME_BYTES) {
        // Spooled by an older agent without splitting: the collector would close the connection on it, every time.
        log.error({ seq, bytes: Buffer.byteLength(text), limit: MAX_FRAME_BYTES }, 'spooled batch exceeds the frame limit; dropped');
        this.opts.spool.reject(seq);
        continue;
      }
      this.inFlight.add(seq);
      this.ws.send(text);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.pumpTimer);
    clearTimeout(this.silenceTimer);
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(1000, 'agent stopping');
        setTimeout(resolve, 2000).unref();
      });
    } else ws?.terminate();
  }
}
