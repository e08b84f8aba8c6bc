import { z } from 'zod';
import { defineCheck } from '../define.js';
import { statusAbove, worstStatus } from '../../shared/status.js';
import type { CpuTimes } from './probe.js';
import type { FieldsOf } from '../metric-declaration.js';
import { CPU } from './metrics.js';
import { say } from './messages.js';

/** CPU utilisation between two runs (from cumulative times) and load average per core. */
export default defineCheck({
  id: 'system.cpu',
  title: { en: 'CPU usage and load', zh: 'CPU 使用率与负载' },
  params: z.object({
    warnPct: z.number().min(0).max(100).default(85),
    critPct: z.number().min(0).max(100).default(95),
    /** Load average (5 min) per core. */
    warnLoadPerCore: z.number().positive().default(2),
    critLoadPerCore: z.number().positive().default(4),
  }),
  async run(ctx, p) {
    const [times, cores, load] = await Promise.all([ctx.system.cpuTimes(), ctx.system.cpuCount(), ctx.system.loadAverage()]);
    const prev = ctx.state.get<CpuTimes>('times');
    ctx.state.set('times', times);
    const fields: FieldsOf<typeof CPU> = { load1: load[0], load5: load[1], load15: load[2], cores };
    const loadPerCore = cores > 0 ? load[1] / cores : load[1];
    const statuses = [statusAbove(loadPerCore, p.warnLoadPerCore, p.critLoadPerCore)];
    let usagePct: number | undefined;
    if (prev) {
      const d = (k: keyof CpuTimes) => Math.max(0, times[k] - prev[k]);
      const total = d('user') + d('nice') + d('system') + d('idle') + d('iowait') + d('irq') + d('steal');
      if (total > 0) {
        const busyPct = (100 * (total - d('idle') - d('iowait'))) / total;
        fields.usage_pct = round(busyPct);
        fields.user_pct = round((100 * (d('user') + d('nice'))) / total);
        fields.system_pct = round((100 * (d('system') + d('irq'))) / total);
        fields.iowait_pct = round((100 * d('iowait')) / total);
        statuses.push(statusAbove(busyPct, p.warnPct, p.critPct));
        usagePct = round(busyPct);
      }
    }
    const loads = { load1: load[0], load5: load[1], load15: load[2], cores };
    return {
      status: worstStatus(statuses),
      ...(usagePct === undefined ? say('system.cpu.load', loads) : say('system.cpu.usage', { usagePct, ...loads })),
      metrics: [{ measurement: CPU.name, fields }],
    };
  },
});

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
