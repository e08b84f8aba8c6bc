import { createServer, type Server } from 'node:http';
import { freePort } from './ports.js';

export interface ReceivedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  at: number;
}

export interface WebhookReceiver {
  port: number;
  url: string;
  received: ReceivedRequest[];
  /** Status codes for the next requests, in order; then 200. */
  failNext(...statuses: number[]): void;
  /** Stop listening (the port is kept so start() can come back on the same URL). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Resolves when `count` requests in total have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
}

/** A real HTTP server on a free loopback port that records every POST (what actually arrived). */
export async function startWebhookReceiver(opts: { port?: number; listen?: boolean; /** 200 body, e.g. a chat robot's error code. */ replyBody?: string } = {}): Promise<WebhookReceiver> {
  const port = opts.port ?? (await freePort());
  const received: ReceivedRequest[] = [];
  const queue: number[] = [];
  const waiters: Array<() => void> = [];
  let server: Server | undefined;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const status = queue.shift() ?? 200;
          if (status === 200) {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = JSON.parse(text);
            } catch {
              // keep the text
            }
            received.push({ path: req.url ?? '/', headers: req.headers, body, at: Date.now() });
            waiters.splice(0).forEach((w) => w());
          }
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(status === 200 ? (opts.replyBody ?? '{"ok":true}') : '{"error":"down"}');
        });
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  if (opts.listen !== false) await start();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    received,
    failNext: (...statuses) => queue.push(...statuses),
    start,
    stop: () =>
      new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.closeAllConnections();
        server.close(() => resolve());
        server = undefined;
      }),
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} webhook requests, got ${received.length}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
    },
  };
}
