import WebSocket from 'ws';
import { Backoff } from '../../agent/backoff.js';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import { batchText, LINUX_BASE } from './linux-base-batch.js';
import type { FleetAgent } from './seed.js';

/** As the real agent (agent/collector-link.ts maxInFlight). */
const MAX_IN_FLIGHT = 4;

interface SimAgent extends FleetAgent {
  idx: number;
  ws?: WebSocket;
  ready: boolean;
  seq: number;
  /** Flushes so far: which checks are due depends on it. */
  flushes: number;
  /** Per check of LINUX_BASE, the flush (mod its period) in which it is due: runs are spread like the scheduler's jitter. */
  phases: number[];
  sent: Map<number, { at: number; lines: number }>;
  /** Batches sent with system.disk CRITICAL since the fault began; undefined: healthy. */
  faultBatches?: number;
  backoff: Backoff;
}

export interface ConnectStorm {
  /** From the first connect to the last welcome. */
  ms: number;
  /** Each agent's connect-to-welcome time, ascending. */
  perAgentMs: number[];
  /** Connection attempts that failed and were retried with the agent's own backoff. */
  retries: number;
  notConnected: number;
}

/**
 * N simulated agents on real WebSocket connections, speaking the wire protocol as the agent does: hello, then a
 * batch every flush interval with the linux-base results that came due and the agent's own figures, each batch
 * timed until its ack. Reconnects use the agent's own Backoff (agent/backoff.ts). One timer drives all agents
 * (a slot every 50 ms), so the generator's cost stays small next to the collector's.
 */
export class AgentSwarm {
  private readonly agents: SimAgent[];
  private ticker?: NodeJS.Timeout;
  private wantConnected = false;
  private onReady?: (a: SimAgent) => void;
  recording = false;
  readonly latenciesMs: number[] = [];
  batchesSent = 0;
  batchesAcked = 0;
  linesAcked = 0;
  skippedNotConnected = 0;
  /**
   * Flushes an agent held back because 4 of its batches were still waiting for their acks (the real agent's
   * maxInFlight, agent/collector-link.ts): it keeps them in its spool and sends them later, merged. The swarm does
   * not replay them; it counts them, so an overloaded collector shows as batches held back, not as a flood.
   */
  heldBack = 0;
  readonly errors = new Map<string, number>();
  /** Why connection attempts failed, by error code or message. */
  readonly connectErrors = new Map<string, number>();
  /** host id -> wall-clock ms when the batch that makes its disk ticket due was sent. */
  readonly faultSentAt = new Map<string, number>();

  constructor(
    private readonly url: string,
    agents: readonly FleetAgent[],
    private readonly flushIntervalMs = 10_000,
  ) {
    this.agents = agents.map((a, idx) => ({
      ...a,
      idx,
      ready: false,
      seq: 0,
      flushes: 0,
      phases: LINUX_BASE.map((c, i) => (Math.imul(idx + 1, 2654435761) ^ Math.imul(i + 1, 40503)) >>> 0).map((h, i) => h % (LINUX_BASE[i]!.intervalSec / (flushIntervalMs / 1000))),
      sent: new Map(),
      backoff: new Backoff(),
    }));
  }

  get size(): number {
    return this.agents.length;
  }

  get connected(): number {
    return this.agents.filter((a) => a.ready).length;
  }

  hostIdOf(idx: number): string {
    return this.agents[idx]!.hostId;
  }

  /** Every agent opens its connection at the same moment; resolves when all are welcomed (or the time is up). */
  connectAll(timeoutMs = 600_000): Promise<ConnectStorm> {
    this.wantConnected = true;
    const t0 = performance.now();
    const perAgent: number[] = [];
    let retries = 0;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.onReady = undefined;
        resolve({ ms: performance.now() - t0, perAgentMs: perAgent.sort((a, b) => a - b), retries, notConnected: this.agents.length - perAgent.length });
      };
      const timer = setTimeout(done, timeoutMs);
      this.onReady = () => {
        perAgent.push(performance.now() - t0);
        if (perAgent.length === this.agents.length) done();
      };
      for (const a of this.agents) {
        a.backoff.reset();
        this.connect(a, () => retries++);
      }
    });
  }

  private connect(a: SimAgent, onRetry: () => void): void {
    const ws = new WebSocket(this.url, { headers: { authorization: `Bearer ${a.agentKey}` }, perMessageDeflate: false, handshakeTimeout: 120_000 });
    a.ws = ws;
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, agentId: a.agentId, version: 'bench-fleet', facts: { hostname: `host-${a.idx}`, os: 'Debian GNU/Linux 12', kernel: '6.1.0', arch: 'x64', cpuCores: 4, memoryBytes: 8_589_934_592 } })));
    ws.on('message', (data) => this.onMessage(a, data.toString()));
    ws.on('error', (err) => {
      // 'close' follows and decides about the retry; the reason is counted (a storm's refusals, resets, timeouts).
      const key = (err as NodeJS.ErrnoException).code ?? err.message.slice(0, 60);
      this.connectErrors.set(key, (this.connectErrors.get(key) ?? 0) + 1);
    });
    ws.on('close', () => {
      const wasReady = a.ready;
      a.ready = false;
      a.ws = undefined;
      a.sent.clear();
      if (!wasReady && this.wantConnected) {
        onRetry();
        setTimeout(() => this.wantConnected && this.connect(a, onRetry), a.backoff.next());
      }
    });
  }

  private onMessage(a: SimAgent, text: string): void {
    const f = JSON.parse(text) as { type: string; seq?: number; code?: string; message?: string };
    if (f.type === 'welcome') {
      a.ready = true;
      a.backoff.reset();
      this.onReady?.(a);
    } else if (f.type === 'ack') {
      const sent = a.sent.get(f.seq!);
      a.sent.delete(f.seq!);
      if (sent && this.recording) {
        this.latenciesMs.push(performance.now() - sent.at);
        this.batchesAcked++;
        this.linesAcked += sent.lines;
      }
    } else if (f.type === 'error') {
      if (f.seq !== undefined) a.sent.delete(f.seq);
      const key = `${f.code}: ${(f.message ?? '').slice(0, 80)}`;
      if (!this.errors.has(key) && this.errors.size < 20) console.error(`collector error to ${a.hostId}: ${f.code} ${f.message}`);
      this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
    }
  }

  /** Start flushing: each agent once per interval, agents spread evenly over it. */
  start(): void {
    const slotMs = 50;
    const slots = Math.max(1, Math.round(this.flushIntervalMs / slotMs));
    const bySlot: SimAgent[][] = Array.from({ length: slots }, () => []);
    for (const a of this.agents) bySlot[a.idx % slots]!.push(a);
    let slot = 0;
    const t0 = performance.now();
    // Catch up by wall time, so a late timer (a busy machine) does not thin out the load.
    this.ticker = setInterval(() => {
      const due = Math.floor((performance.now() - t0) / slotMs);
      for (; slot <= due; slot++) for (const a of bySlot[slot % slots]!) this.flush(a);
    }, slotMs);
  }

  stop(): void {
    clearInterval(this.ticker);
  }

  private flush(a: SimAgent): void {
    if (!a.ready || !a.ws) {
      this.skippedNotConnected++;
      return;
    }
    if (a.sent.size >= MAX_IN_FLIGHT) {
      if (this.recording) this.heldBack++;
      return;
    }
    const n = a.flushes++;
    let due = 0;
    LINUX_BASE.forEach((c, i) => {
      if ((n + a.phases[i]!) % (c.intervalSec / (this.flushIntervalMs / 1000)) === 0) due |= 1 << i;
    });
    const critical = a.faultBatches !== undefined;
    if (critical && ++a.faultBatches! === 2) this.faultSentAt.set(a.hostId, Date.now());
    const seq = ++a.seq;
    const batch = batchText(seq, due, critical, Date.now());
    a.sent.set(seq, { at: performance.now(), lines: batch.lines });
    a.ws.send(batch.text);
    if (this.recording) this.batchesSent++;
  }

  /**
   * From the next flush on, these agents' system.disk is CRITICAL in every batch: the second such batch opens a
   * ticket (openAfter 2), and the problem lasts past the notifier's coalescing window, so it is sent.
   */
  injectDiskFault(indexes: readonly number[]): void {
    for (const i of indexes) this.agents[i]!.faultBatches = 0;
  }

  /** These agents' disks are fine again: system.disk is OK from their next batch on (the ticket resolves). */
  clearDiskFault(indexes: readonly number[]): void {
    for (const i of indexes) this.agents[i]!.faultBatches = undefined;
  }

  /** The collector is going away: closes are expected, nobody reconnects until connectAll(). */
  expectDisconnect(): void {
    this.wantConnected = false;
  }

  close(): void {
    this.stop();
    this.wantConnected = false;
    for (const a of this.agents) a.ws?.close();
  }
}
