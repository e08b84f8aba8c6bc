import { z } from 'zod';
import { defineCheck } from '../define.js';
import type { FieldsOf } from '../metric-declaration.js';
import { SYSTEM } from './metrics.js';
import { say } from './messages.js';

/**
 * Uptime, and a reboot since the last run: WARNING for `rebootWarnMinutes` after a boot so that an
 * unplanned restart is seen even when everything came back up.
 */
export default defineCheck({
  id: 'system.uptime',
  title: { en: 'Uptime and reboots', zh: '运行时间与重启' },
  params: z.object({
    rebootWarnMinutes: z.number().nonnegative().default(30),
  }),
  async run(ctx, p) {
    const bootMs = await ctx.system.bootTime();
    const now = ctx.now();
    const uptimeSec = Math.max(0, (now - bootMs) / 1000);
    const lastBoot = ctx.state.get<number>('bootMs');
    // Boot time jitters by a second or so between reads; only a jump of over a minute is a reboot.
    const rebooted = lastBoot !== undefined && bootMs - lastBoot > 60_000;
    if (lastBoot === undefined || rebooted) ctx.state.set('bootMs', bootMs);
    if (rebooted) ctx.state.set('rebootSeenAt', now);
    const rebootSeenAt = ctx.state.get<number>('rebootSeenAt');
    const recent = rebootSeenAt !== undefined && now - rebootSeenAt < p.rebootWarnMinutes * 60_000;
    return {
      status: recent ? 'WARNING' : 'OK',
      ...(recent ? say('system.uptime.rebooted', { bootAt: bootMs, uptimeSec }) : say('system.uptime.up', { uptimeSec })),
      metrics: [{ measurement: SYSTEM.name, fields: { uptime_sec: Math.round(uptimeSec), boot_time: Math.round(bootMs / 1000), rebooted: rebooted ? 1 : 0 } satisfies FieldsOf<typeof SYSTEM> }],
    };
  },
});
