import { z } from 'zod';
import { defineCheck } from '../define.js';
import { statusAbove, worstStatus } from '../../shared/status.js';
import { say } from './messages.js';

export interface PingSummary {
  transmitted: number;
  received: number;
  lossPct: number;
  /** Round trip in milliseconds; null when no reply came back. */
  rttMinMs: number | null;
  rttAvgMs: number | null;
  rttMaxMs: number | null;
}

/** ICMP echo through the system `ping` (iputils), so no raw-socket privilege is needed by the agent. */
export default defineCheck({
  id: 'network.ping',
  title: { en: 'Ping', zh: 'Ping 连通性' },
  params: z.object({
    host: z.string().min(1).max(255).regex(/^[^-\s]\S*$/, 'a host name or address'),
    count: z.number().int().min(1).max(100).default(5),
    /** Seconds to wait for each reply (-W). */
    replyTimeoutSec: z.number().int().min(1).max(60).default(2),
    /** Seconds between packets (-i); 0.2 is the lowest iputils allows without root. */
    intervalSec: z.number().min(0.2).max(10).default(0.2),
    // Defaults as check_ping's usual -w 100,20% -c 500,60%.
    warnRttMs: z.number().positive().default(100),
    critRttMs: z.number().positive().default(500),
    warnLossPct: z.number().min(0).max(100).default(20),
    critLossPct: z.number().min(0).max(100).default(60),
  }),
  async run(ctx, p) {
    const timeoutMs = (p.count * p.intervalSec + p.replyTimeoutSec + 5) * 1000;
    const r = await ctx.exec.exec('ping', ['-n', '-c', String(p.count), '-W', String(p.replyTimeoutSec), '-i', String(p.intervalSec), p.host], { timeoutMs });
    if (r.code === null) return { status: 'UNKNOWN', ...(r.timedOut ? say('network.ping.unfinished', { host: p.host }) : say('network.ping.cannotRun', { error: r.stderr.trim() })) };
    const s = parsePingOutput(r.stdout);
    if (!s) return { status: 'UNKNOWN', ...say('network.ping.failed', { host: p.host, error: (r.stderr || r.stdout).trim().split('\n')[0] || `exit ${r.code}` }) };
    const fields: Record<string, number> = { transmitted: s.transmitted, received: s.received, loss_pct: s.lossPct };
    if (s.rttAvgMs !== null) {
      fields.rtt_min_sec = s.rttMinMs! / 1000;
      fields.rtt_avg_sec = s.rttAvgMs / 1000;
      fields.rtt_max_sec = s.rttMaxMs! / 1000;
    }
    const metrics = [{ measurement: 'ping', tags: { target: p.host }, fields }];
    if (s.received === 0) return { status: 'CRITICAL', ...say('network.ping.unreachable', { host: p.host, sent: s.transmitted }), metrics };
    return {
      status: worstStatus([statusAbove(s.lossPct, p.warnLossPct, p.critLossPct), statusAbove(s.rttAvgMs ?? 0, p.warnRttMs, p.critRttMs)]),
      ...say('network.ping.ok', { host: p.host, lossPct: s.lossPct, minMs: String(s.rttMinMs), avgMs: String(s.rttAvgMs), maxMs: String(s.rttMaxMs) }),
      metrics,
    };
  },
});

/** The two summary lines of iputils (and busybox) ping. */
export function parsePingOutput(text: string): PingSummary | null {
  const counts = /(\d+) packets transmitted, (\d+) (?:packets )?received.*?(\d+(?:\.\d+)?)% packet loss/.exec(text);
  if (!counts) return null;
  const rtt = /(?:rtt|round-trip) min\/avg\/max(?:\/m?dev)? = ([\d.]+)\/([\d.]+)\/([\d.]+)/.exec(text);
  return {
    transmitted: Number(counts[1]),
    received: Number(counts[2]),
    lossPct: Number(counts[3]),
    rttMinMs: rtt ? Number(rtt[1]) : null,
    rttAvgMs: rtt ? Number(rtt[2]) : null,
    rttMaxMs: rtt ? Number(rtt[3]) : null,
  };
}
