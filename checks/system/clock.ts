import { createSocket } from 'node:dgram';
import { z } from 'zod';
import { defineCheck } from '../define.js';
import { statusAbove } from '../../shared/status.js';
import { say } from './messages.js';

/** Seconds from the NTP era (1900-01-01) to the Unix epoch (RFC 5905). */
const NTP_EPOCH_OFFSET_SEC = 2_208_988_800;

/**
 * Clock offset of the host. Two references:
 * - `server`: an NTP server, asked with one SNTP (RFC 4330) client request from where the check runs;
 *   offset = ((t1 - t0) + (t2 - t3)) / 2.
 * - `collector`, for hosts that may not reach any NTP server. In an agent: the agent's estimate from the
 *   collector's `serverTime` in its welcome and the hello -> welcome round trip (ctx.collectorClockOffset).
 *   Where the collector runs the check over SSH (no such estimate in the context): the host's clock read
 *   with `date` through the executor, against the clock running the check, which is the collector's.
 * Positive offset: the host is behind the reference.
 */
export default defineCheck({
  id: 'system.clock',
  title: { en: 'Clock offset', zh: '时钟偏差' },
  params: z.object({
    reference: z.enum(['server', 'collector']).default('server'),
    server: z.string().min(1).default('pool.ntp.org'),
    port: z.number().int().min(1).max(65535).default(123),
    timeoutMs: z.number().int().positive().default(3000),
    warnOffsetSec: z.number().positive().default(2),
    critOffsetSec: z.number().positive().default(10),
  }),
  async run(ctx, p) {
    let offsetMs: number;
    let rttMs: number | null = null;
    let server: string | undefined;
    if (p.reference === 'server') {
      server = `${p.server}:${p.port}`;
      try {
        const r = await sntpQuery(p.server, p.port, p.timeoutMs, ctx.now);
        offsetMs = r.offsetMs;
        rttMs = r.rttMs;
      } catch (err) {
        return { status: 'UNKNOWN', ...say('system.clock.noAnswer', { server, error: (err as Error).message }) };
      }
    } else if (ctx.collectorClockOffset) {
      const estimate = ctx.collectorClockOffset();
      if (!estimate) return { status: 'UNKNOWN', ...say('system.clock.notConnected') };
      offsetMs = estimate.offsetMs;
      rttMs = estimate.rttMs;
    } else {
      const before = ctx.now();
      const r = await ctx.exec.exec('date', ['+%s%N'], { timeoutMs: p.timeoutMs });
      const after = ctx.now();
      const hostNs = r.code === 0 ? Number(r.stdout.trim()) : NaN;
      if (!Number.isFinite(hostNs)) return { status: 'UNKNOWN', ...say('system.clock.unreadable', { error: r.stderr.trim() || `exit ${r.code}` }) };
      // The midpoint of the round trip is the best guess of when `date` ran.
      offsetMs = (before + after) / 2 - hostNs / 1e6;
      rttMs = after - before;
    }
    const absSec = Math.abs(offsetMs) / 1000;
    const fields: Record<string, number> = { offset_sec: Math.round(offsetMs) / 1000 };
    if (rttMs !== null) fields.rtt_sec = Math.round(rttMs * 1000) / 1e6;
    return {
      status: statusAbove(absSec, p.warnOffsetSec, p.critOffsetSec),
      ...(server === undefined ? say('system.clock.offsetCollector', { offsetSec: offsetMs / 1000 }) : say('system.clock.offsetServer', { offsetSec: offsetMs / 1000, server })),
      metrics: [{ measurement: 'clock', tags: { reference: p.reference }, fields }],
    };
  },
});

export interface SntpAnswer {
  offsetMs: number;
  rttMs: number;
  stratum: number;
}

/** One SNTP request; `now` is the local clock (injected so tests control it). */
export function sntpQuery(host: string, port: number, timeoutMs: number, now: () => number): Promise<SntpAnswer> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const req = Buffer.alloc(48);
    // LI 0, version 4, mode 3 (client).
    req[0] = (0 << 6) | (4 << 3) | 3;
    const t0 = now();
    writeNtpTime(req, 40, t0);
    const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    let settled = false;
    const done = (err: Error | null, answer?: SntpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(answer!);
    };
    sock.on('error', (err) => done(err));
    sock.on('message', (msg) => {
      const t3 = now();
      if (msg.length < 48) return done(new Error('short NTP reply'));
      const mode = msg[0]! & 0x7;
      const stratum = msg[1]!;
      // Mode 4 = server; stratum 0 is a "kiss-o'-death" (rate limit, deny).
      if (mode !== 4) return done(new Error(`unexpected NTP mode ${mode}`));
      if (stratum === 0) return done(new Error(`kiss-o'-death ${msg.subarray(12, 16).toString('ascii')}`));
      // The server must echo our transmit time as its originate time, or the reply is not for us.
      if (!msg.subarray(24, 32).equals(req.subarray(40, 48))) return done(new Error('NTP reply does not match the request'));
      const t1 = readNtpTime(msg, 32);
      const t2 = readNtpTime(msg, 40);
      done(null, { offsetMs: (t1 - t0 + (t2 - t3)) / 2, rttMs: t3 - t0 - (t2 - t1), stratum });
    });
    sock.send(req, port, host, (err) => {
      if (err) done(err);
    });
  });
}

/** NTP timestamp: 32-bit seconds since 1900, 32-bit fraction. */
export function writeNtpTime(buf: Buffer, at: number, epochMs: number): void {
  const sec = Math.floor(epochMs / 1000) + NTP_EPOCH_OFFSET_SEC;
  const frac = Math.round(((epochMs % 1000) / 1000) * 2 ** 32) >>> 0;
  buf.writeUInt32BE(sec >>> 0, at);
  buf.writeUInt32BE(frac, at + 4);
}

export function readNtpTime(buf: Buffer, at: number): number {
  const sec = buf.readUInt32BE(at) - NTP_EPOCH_OFFSET_SEC;
  const frac = buf.readUInt32BE(at + 4);
  return sec * 1000 + (frac / 2 ** 32) * 1000;
}
