import { z } from 'zod';
import { defineCheck } from '../define.js';
import { statusAbove } from '../../shared/status.js';
import { readProcessTable } from './process-table.js';
import { say } from './messages.js';

/**
 * Zombie (defunct) processes: each holds a PID until its parent reaps it; many of them mean a parent
 * that never waits, and in the end a host that cannot fork. Thresholds follow check_procs -s Z usage.
 */
export default defineCheck({
  id: 'system.zombies',
  title: { en: 'Zombie processes', zh: '僵尸进程' },
  params: z.object({
    warnCount: z.number().int().positive().default(5),
    critCount: z.number().int().positive().default(20),
  }),
  async run(ctx, p) {
    const table = await readProcessTable(ctx.exec, false);
    if ('error' in table) return { status: 'UNKNOWN', ...table.error };
    const zombies = table.filter((r) => r.stat.startsWith('Z'));
    const byParent = new Map<number, number>();
    for (const z of zombies) byParent.set(z.ppid, (byParent.get(z.ppid) ?? 0) + 1);
    const status = statusAbove(zombies.length, p.warnCount, p.critCount);
    const worstParent = [...byParent.entries()].sort((a, b) => b[1] - a[1])[0];
    return {
      status,
      ...(zombies.length === 0
        ? say('system.zombies.none', { total: table.length })
        : say('system.zombies.found', { count: zombies.length, ppid: worstParent![0], underParent: worstParent![1] })),
      details: zombies.length ? zombies.slice(0, 50).map((z) => `pid ${z.pid} ppid ${z.ppid} ${z.comm}`).join('\n') : undefined,
      metrics: [{ measurement: 'processes', fields: { zombies: zombies.length, total: table.length } }],
    };
  },
});
