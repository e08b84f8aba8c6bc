import { connect } from 'node:net';
import { z } from 'zod';
import { defineCheck } from '../define.js';
import { statusAbove } from '../../shared/status.js';
import type { CheckMessagePart } from '../../shared/check-result.js';
import { part, say } from './messages.js';

/** A TCP connect to host:port, timed: "is the service port open, and how fast does it answer the handshake". */
export default defineCheck({
  id: 'network.tcp',
  title: { en: 'TCP port', zh: 'TCP 端口' },
  params: z.object({
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535),
    timeoutMs: z.number().int().positive().default(5000),
    warnMs: z.number().positive().default(500),
    critMs: z.number().positive().default(2000),
  }),
  async run(ctx, p) {
    const target = `${p.host}:${p.port}`;
    const r = await tcpConnect(p.host, p.port, p.timeoutMs, ctx.signal);
    if (!r.ok) {
      return {
        status: 'CRITICAL',
        ...say('network.tcp.failed', { target }, [r.error]),
        metrics: [{ measurement: 'tcp', tags: { target }, fields: { up: 0 } }],
      };
    }
    return {
      status: statusAbove(r.ms, p.warnMs, p.critMs),
      ...say('network.tcp.ok', { target, ms: r.ms }),
      metrics: [{ measurement: 'tcp', tags: { target }, fields: { up: 1, connect_sec: r.ms / 1000 } }],
    };
  },
});

export type ConnectResult = { ok: true; ms: number } | { ok: false; error: CheckMessagePart };

/** Connect and close at once; resolves with the handshake time or a readable reason, never rejects. */
export function tcpConnect(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<ConnectResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const sock = connect({ host, port });
    let settled = false;
    const finish = (r: ConnectResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(r);
    };
    const onAbort = () => finish({ ok: false, error: part('network.error.word', { error: 'check aborted' }) });
    const timer = setTimeout(() => finish({ ok: false, error: part('network.error.noAnswer', { ms: timeoutMs }) }), timeoutMs);
    signal?.addEventListener('abort', onAbort);
    sock.once('connect', () => finish({ ok: true, ms: performance.now() - t0 }));
    sock.once('error', (err: NodeJS.ErrnoException) => finish({ ok: false, error: part('network.error.word', { error: describeSocketError(err) }) }));
  });
}

export function describeSocketError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'ENOTFOUND':
      return 'name not found';
    case 'ETIMEDOUT':
      return 'timed out';
    case 'ECONNRESET':
      return 'connection reset';
    default:
      return err.code ? `${err.code}: ${err.message}` : err.message;
  }
}
