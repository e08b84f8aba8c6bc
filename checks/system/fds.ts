import { z } from 'zod';
import { defineCheck } from '../define.js';
import { statusAbove } from '../../shared/status.js';
import { say } from './messages.js';

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
      return { status: 'UNKNOWN', ...say('system.read.failed', { path: '/proc/sys/fs/file-nr', error: (err as Error).message }) };
    }
    const [allocated, free, max] = text.trim().split(/\s+/).map(Number);
    if (![allocated, free, max].every((n) => Number.isFinite(n)) || !(max! > 0)) {
      return { status: 'UNKNOWN', ...say('system.fds.unexpected', { path: '/proc/sys/fs/file-nr', text: text.trim().slice(0, 100) }) };
    }
    // Since Linux 2.6 freed handles are returned at once, so "free" is 0; subtract it anyway for old kernels.
    const used = allocated! - free!;
    const usedPct = (100 * used) / max!;
    return {
      status: statusAbove(usedPct, p.warnPct, p.critPct),
      ...(usedPct < 0.01 ? say('system.fds.openFew', { used, max }) : say('system.fds.open', { used, max, pct: usedPct })),
      metrics: [{ measurement: 'fds', fields: { used, allocated: allocated!, max: max!, used_pct: Math.round(usedPct * 1000) / 1000 } }],
    };
  },
});
