import { z } from 'zod';
import { defineCheck } from '../define.js';
import { worstStatus, type Status } from '../../shared/status.js';
import { part, say } from './messages.js';
import type { CheckMessagePart } from '../../shared/check-result.js';

/** What systemctl prints when it is there but systemd is not PID 1 (containers, sysvinit hosts). */
const NO_SYSTEMD = /not been booted with systemd|Failed to connect to bus|systemd is not running/i;

/** systemd services that must be active, via `systemctl is-active` (one line of state per unit, in order). */
export default defineCheck({
  id: 'system.service',
  title: { en: 'System services', zh: '系统服务' },
  params: z.object({
    services: z.array(z.string().min(1).max(256).regex(/^[^-\s][^\s]*$/, 'a unit name, not an option')).min(1),
  }),
  async run(ctx, p) {
    const r = await ctx.exec.exec('systemctl', ['is-active', '--', ...p.services]);
    if (r.code === null) return { status: 'UNKNOWN', ...say('system.service.noSystemctl') };
    const states = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    if (NO_SYSTEMD.test(r.stderr) || states.length !== p.services.length) {
      return { status: 'UNKNOWN', ...say('system.service.noSystemd'), details: r.stderr.trim() || undefined };
    }
    const statuses: Status[] = [];
    const bad: CheckMessagePart[] = [];
    const metrics = p.services.map((name, i) => {
      const state = states[i]!;
      // activating/reloading/deactivating pass by on their own; inactive, failed and unknown units do not.
      const s: Status = state === 'active' ? 'OK' : ['activating', 'reloading', 'deactivating'].includes(state) ? 'WARNING' : 'CRITICAL';
      statuses.push(s);
      if (s !== 'OK') bad.push(part('system.service.state', { name, state }));
      return { measurement: 'service', tags: { service: name }, fields: { active: state === 'active' ? 1 : 0, state } };
    });
    return {
      status: worstStatus(statuses),
      ...(bad.length ? say('system.service.notActive', {}, bad) : say('system.service.active', { count: p.services.length })),
      metrics,
    };
  },
});
