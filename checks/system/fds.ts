import { z } from 'zod';
import { defineCheck } from '../define.js';
import { statusAbove } from '../../shared/status.js';

/** Open file handles of the whole kernel against fs.file-max (/proc/sys/fs/file-nr: allocated, free, max). */
export default defineCheck({
  id: 'system.fds',
  title: { en: 'Open file descriptors', zh: '打开的文件描述符' },
  params: z.object({
    warnPct: z.number().min(0).max(100).default(80),
    critPct: z.number().min(0).max(100).default(90),
  }),
  async run(ctx, p) {
    let text: string;
    try {
      text = await ctx.exec.readFile('/proc/sys/fs/file-nr');
    } catch (err) {
      return { status: 'UNKNOWN', summary: `cannot read /proc/sys/fs/file-nr: ${(err as Error).message}` };
    }
    const [allocated, free, max] = text.trim().split(/\s+/).map(Number);
    if (![allocated, free, max].every((n) => Number.isFinite(n)) || !(max! > 0)) {
      return { status: 'UNKNOWN', summary: `unexpected /proc/sys/fs/file-nr content: ${text.trim().slice(0, 100)}` };
    }
    // Since Linux 2.6 freed handles are returned at once, so "free" is 0; subtract it anyway for old kernels.
    const used = allocated! - free!;
    const usedPct = (100 * used) / max!;
    return {
      status: statusAbove(usedPct, p.warnPct, p.critPct),
      summary: `${used} file descriptors open of ${max} (${usedPct < 0.01 ? '<0.01' : usedPct.toFixed(2)}%)`,
      metrics: [{ measurement: 'fds', fields: { used, allocated: allocated!, max: max!, used_pct: Math.round(usedPct * 1000) / 1000 } }],
    };
  },
});
