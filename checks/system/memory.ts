import { z } from 'zod';
import { defineCheck } from '../define.js';
import { statusAbove, worstStatus } from '../../shared/status.js';
import type { FieldsOf } from '../metric-declaration.js';
import { MEM } from './metrics.js';

/** Memory in use (total - available, as the kernel counts it) and swap in use. */
export default defineCheck({
  id: 'system.memory',
  title: { en: 'Memory and swap', zh: '内存与交换分区' },
  params: z.object({
    warnPct: z.number().min(0).max(100).default(90),
    critPct: z.number().min(0).max(100).default(95),
    swapWarnPct: z.number().min(0).max(100).default(50),
    swapCritPct: z.number().min(0).max(100).default(80),
  }),
  async run(ctx, p) {
    const m = await ctx.system.memory();
    if (!(m.totalBytes > 0)) return { status: 'UNKNOWN', summary: 'memory size not available' };
    const usedBytes = m.totalBytes - m.availableBytes;
    const usedPct = (100 * usedBytes) / m.totalBytes;
    const swapPct = m.swapTotalBytes > 0 ? (100 * m.swapUsedBytes) / m.swapTotalBytes : 0;
    const status = worstStatus([
      statusAbove(usedPct, p.warnPct, p.critPct),
      m.swapTotalBytes > 0 ? statusAbove(swapPct, p.swapWarnPct, p.swapCritPct) : 'OK',
    ]);
    const swapText = m.swapTotalBytes > 0 ? `swap ${swapPct.toFixed(1)}% used` : 'no swap';
    return {
      status,
      summary: `memory ${usedPct.toFixed(1)}% used (${gib(usedBytes)} of ${gib(m.totalBytes)} GiB), ${swapText}`,
      metrics: [
        {
          measurement: MEM.name,
          fields: {
            total_bytes: m.totalBytes,
            available_bytes: m.availableBytes,
            used_bytes: usedBytes,
            used_pct: Math.round(usedPct * 100) / 100,
            swap_total_bytes: m.swapTotalBytes,
            swap_used_bytes: m.swapUsedBytes,
            swap_used_pct: Math.round(swapPct * 100) / 100,
          } satisfies FieldsOf<typeof MEM>,
        },
      ],
    };
  },
});

function gib(b: number): string {
  return (b / 2 ** 30).toFixed(1);
}
