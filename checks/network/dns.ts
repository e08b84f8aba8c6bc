import { promises as dns } from 'node:dns';
import { z } from 'zod';
import { defineCheck } from '../define.js';
import { statusAbove } from '../../shared/status.js';
import { part, say } from './messages.js';

const RecordTypeSchema = z.enum(['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'PTR', 'SRV']);
type RecordType = z.infer<typeof RecordTypeSchema>;

/**
 * Resolve a name and compare with the expected answer. With `server`, a node:dns Resolver asks that
 * server directly (is our DNS server answering right?). Without it, A/AAAA go through the system
 * resolver (getaddrinfo: /etc/hosts, nsswitch), which is what applications on the host see.
 */
export default defineCheck({
  id: 'network.dns',
  title: { en: 'DNS resolution', zh: 'DNS 解析' },
  params: z.object({
    name: z.string().min(1).max(253),
    type: RecordTypeSchema.default('A'),
    /** "10.0.0.53" or "10.0.0.53:5353"; absent = the host's resolver. */
    server: z.string().min(1).optional(),
    /** Every one of these must be in the answer (order does not matter); absent = any answer is fine. */
    expect: z.array(z.string()).optional(),
    timeoutMs: z.number().int().positive().default(5000),
    warnMs: z.number().positive().default(500),
    critMs: z.number().positive().default(2000),
  }),
  async run(ctx, p) {
    const t0 = performance.now();
    let answers: string[];
    try {
      answers = await resolve(p.name, p.type, p.server, p.timeoutMs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOTFOUND'
          ? part('network.dns.nxdomain')
          : code === 'ENODATA'
            ? part('network.dns.noRecord', { type: p.type })
            : code === 'ETIMEOUT'
              ? part('network.dns.timeout')
              : part('network.dns.error', { error: (err as Error).message });
      return {
        status: 'CRITICAL',
        ...say('network.dns.failed', { name: p.name, type: p.type, server: p.server }, [why]),
        metrics: [{ measurement: 'dns', tags: { name: p.name, type: p.type }, fields: { resolved: 0 } }],
      };
    }
    const ms = performance.now() - t0;
    const missing = (p.expect ?? []).filter((e) => !answers.some((a) => sameAnswer(a, e)));
    const status = missing.length ? 'CRITICAL' : statusAbove(ms, p.warnMs, p.critMs);
    const got = answers.slice(0, 10).join(', ') || '(empty)';
    return {
      status,
      ...(missing.length
        ? say('network.dns.mismatch', { name: p.name, type: p.type, answers: got, missing: missing.join(', ') })
        : say('network.dns.ok', { name: p.name, type: p.type, answers: got, ms })),
      metrics: [{ measurement: 'dns', tags: { name: p.name, type: p.type }, fields: { resolved: 1, answers: answers.length, response_sec: ms / 1000 } }],
    };
  },
});

function sameAnswer(a: string, b: string): boolean {
  // Names compare case-insensitively and with or without the root dot.
  const norm = (s: string) => s.toLowerCase().replace(/\.$/, '');
  return norm(a) === norm(b);
}

async function resolve(name: string, type: RecordType, server: string | undefined, timeoutMs: number): Promise<string[]> {
  if (!server && (type === 'A' || type === 'AAAA')) {
    const all = await dns.lookup(name, { all: true, family: type === 'A' ? 4 : 6 });
    return [...new Set(all.map((a) => a.address))];
  }
  // tries: 1 so timeoutMs is the whole wait, not per retry.
  const r = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  if (server) r.setServers([server]);
  switch (type) {
    case 'A':
      return r.resolve4(name);
    case 'AAAA':
      return r.resolve6(name);
    case 'CNAME':
      return r.resolveCname(name);
    case 'NS':
      return r.resolveNs(name);
    case 'PTR':
      return r.resolvePtr(name);
    case 'MX':
      return (await r.resolveMx(name)).map((m) => `${m.priority} ${m.exchange}`);
    case 'TXT':
      return (await r.resolveTxt(name)).map((parts) => parts.join(''));
    case 'SRV':
      return (await r.resolveSrv(name)).map((s) => `${s.priority} ${s.weight} ${s.port} ${s.name}`);
  }
}
