import WebSocket from 'ws';
import type { Status } from '../../shared/status.js';
import { CollectorFrameSchema, PROTOCOL_VERSION, type CollectorFrame } from '../../shared/protocol.js';

/**
 * A protocol-level agent for tests: speaks the wire format by hand so tests can send exactly the frames
 * they mean (good, bad, oversize) and see exactly what the collector answers.
 */
export class RawAgent {
  readonly frames: CollectorFrame[] = [];
  private waiters: Array<{ pred: (f: CollectorFrame) => boolean; resolve: (f: CollectorFrame) => void }> = [];
  closeCode?: number;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const f = CollectorFrameSchema.parse(JSON.parse(d.toString()));
      this.frames.push(f);
      this.waiters = this.waiters.filter((w) => (w.pred(f) ? (w.resolve(f), false) : true));
    });
    ws.on('close', (code) => (this.closeCode = code));
  }

  /** Connect; rejects with the HTTP status when the upgrade is refused. */
  static connect(url: string, key: string): Promise<RawAgent> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${key}` } });
      const agent = new RawAgent(ws);
      ws.once('open', () => resolve(agent));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  next(pred: (f: CollectorFrame) => boolean, timeoutMs = 10_000): Promise<CollectorFrame> {
    const seen = this.frames.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no matching frame from the collector')), timeoutMs);
      this.waiters.push({ pred, resolve: (f) => (clearTimeout(t), resolve(f)) });
    });
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  async hello(agentId: string): Promise<CollectorFrame> {
    this.sendRaw(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, agentId, version: 'test', facts: { hostname: 'raw-test' } }));
    return this.next((f) => f.type === 'welcome');
  }

  closed(): Promise<number> {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    return new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
  }

  close(): void {
    this.ws.close();
  }
}

/** An enrolled host whose agent speaks the real wire protocol; send() delivers one system.cpu result and waits for the ack. */
export async function statusAgent(
  collector: { enrollHost(customerId: string, hostname: string): { agentId: string; agentKey: string; hostId: string }; wsUrl: string },
  customerId: string,
  hostname: string,
): Promise<{ hostId: string; agent: RawAgent; send(status: Status, summary: string): Promise<void> }> {
  const enrolled = collector.enrollHost(customerId, hostname);
  const agent = await RawAgent.connect(collector.wsUrl, enrolled.agentKey);
  await agent.hello(enrolled.agentId);
  let seq = 0;
  return {
    hostId: enrolled.hostId,
    agent,
    async send(status: Status, summary: string) {
      const n = ++seq;
      const result = { name: 'system.cpu', checkId: 'system.cpu', status, summary, startedAt: Date.now(), durationMs: 2, metrics: [] };
      agent.sendRaw(JSON.stringify({ type: 'batch', seq: n, results: [result], metrics: [] }));
      await agent.next((f) => f.type === 'ack' && f.seq === n);
    },
  };
}
