import { z } from 'zod';
import { defineCheck } from '../define.js';
import { say } from './messages.js';

/** TCP state 0A is LISTEN in /proc/net/tcp (include/net/tcp_states.h). */
const TCP_LISTEN = '0A';

export interface Listener {
  address: string;
  port: number;
}

/** Expected listening TCP ports, from /proc/net/tcp and tcp6 (no ss/netstat needed on the host). */
export default defineCheck({
  id: 'system.listening-ports',
  title: { en: 'Listening ports', zh: '监听端口' },
  params: z.object({
    ports: z.array(z.number().int().min(1).max(65535)).min(1),
  }),
  async run(ctx, p) {
    const [v4, v6] = await Promise.all([
      ctx.exec.readFile('/proc/net/tcp').catch((err: Error) => err),
      // A host with IPv6 disabled has no tcp6 file: that is not an error.
      ctx.exec.readFile('/proc/net/tcp6').catch(() => ''),
    ]);
    if (v4 instanceof Error) return { status: 'UNKNOWN', ...say('system.read.failed', { path: '/proc/net/tcp', error: v4.message }) };
    const listeners = [...parseProcNetTcp(v4, 4), ...parseProcNetTcp(v6, 6)];
    const listening = new Set(listeners.map((l) => l.port));
    const missing = p.ports.filter((port) => !listening.has(port));
    return {
      status: missing.length ? 'CRITICAL' : 'OK',
      ...(missing.length
        ? say('system.ports.missing', { ports: missing.join(', ') })
        : say('system.ports.ok', { ports: p.ports.join(', '), total: listening.size })),
      metrics: [
        ...p.ports.map((port) => ({ measurement: 'listening_port', tags: { port: String(port) }, fields: { listening: listening.has(port) ? 1 : 0 } })),
        { measurement: 'listening_ports', fields: { total: listening.size, missing: missing.length } },
      ],
    };
  },
});

/** LISTEN sockets of one /proc/net/tcp{,6} table. Addresses are hex in host byte order (little-endian here). */
export function parseProcNetTcp(text: string, family: 4 | 6): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || cols[3] !== TCP_LISTEN) continue;
    const [hexAddr, hexPort] = cols[1]!.split(':');
    if (!hexAddr || !hexPort) continue;
    out.push({ address: family === 4 ? ipv4(hexAddr) : hexAddr, port: parseInt(hexPort, 16) });
  }
  return out;
}

function ipv4(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}
