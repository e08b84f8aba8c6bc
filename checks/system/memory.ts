import { z } from 'zod';
import { defineCheck } from '../define.js';
import { statusAbove, worstStatus } from '../../shared/status.js';
import type { FieldsOf } from '../metric-declaration.js';
import { MEM } from './metrics.js';
import { say } from './messages.js';

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
    if (!(m.totalBytes > 0)) return { status: 'UNKNOWN', ...say('system.memory.unavailable') };
    const usedBytes = m.totalBytes - m.availableBytes;
    const usedPct = (100 * usedBytes) / m.totalBytes;
    const swapPct = m.swapTotalBytes > 0 ? (100 * m.swapUsedBytes) / m.swapTotalBytes : 0;
    const status = worstStatus([
      statusAbove(usedPct, p.warnPct, p.critPct),
      m.swapTotalBytes > 0 ? statusAbove(swapPct, p.swapWarnPct, p.swapCritPct) : 'OK',
    ]);
    const swap = m.swapTotalBytes > 0 ? { swapPct } : { noSwap: 1 };
    return {
      status,
      ...say('system.memory.used', { usedPct, usedBytes, totalBytes: m.totalBytes, ...swap }),
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
