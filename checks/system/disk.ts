import { z } from 'zod';
import { defineCheck } from '../define.js';
import { statusAbove, worstStatus, type Status } from '../../shared/status.js';
import type { FieldsOf } from '../metric-declaration.js';
import { DISK } from './metrics.js';
import { part, say } from './messages.js';
import type { CheckMessagePart } from '../../shared/check-result.js';

/** Space and inodes per real mount; pseudo file systems are skipped by the probe. */
export default defineCheck({
  id: 'system.disk',
  title: { en: 'Disk space and inodes', zh: '磁盘空间与 inode' },
  params: z.object({
    warnPct: z.number().min(0).max(100).default(80),
    critPct: z.number().min(0).max(100).default(90),
    inodeWarnPct: z.number().min(0).max(100).default(80),
    inodeCritPct: z.number().min(0).max(100).default(90),
    /** Only these mounts, when given; otherwise every real mount. */
    mounts: z.array(z.string()).optional(),
    ignoreMounts: z.array(z.string()).default([]),
  }),
  async run(ctx, p) {
    const all = await ctx.system.filesystems();
    const fss = all.filter((f) => (!p.mounts || p.mounts.includes(f.mount)) && !p.ignoreMounts.includes(f.mount));
    if (fss.length === 0) return { status: 'UNKNOWN', ...say('system.disk.noneMatching') };
    const statuses: Status[] = [];
    const problems: CheckMessagePart[] = [];
    let top: { mount: string; pct: number } | undefined;
    const metrics = fss.map((f) => {
      // used / (used + available), as df shows it: reserved blocks count as unavailable to users.
      const usable = f.usedBytes + f.availableBytes;
      const usedPct = usable > 0 ? (100 * f.usedBytes) / usable : 0;
      const inodePct = f.inodesTotal ? (100 * (f.inodesUsed ?? 0)) / f.inodesTotal : null;
      const s = worstStatus([
        statusAbove(usedPct, p.warnPct, p.critPct),
        inodePct === null ? 'OK' : statusAbove(inodePct, p.inodeWarnPct, p.inodeCritPct),
      ]);
      statuses.push(s);
      if (s !== 'OK') problems.push(inodePct === null ? part('system.disk.mount', { mount: f.mount, pct: usedPct }) : part('system.disk.mountInodes', { mount: f.mount, pct: usedPct, inodePct }));
      const shownPct = Math.round(usedPct * 100) / 100;
      const fields: FieldsOf<typeof DISK> & Record<string, number> = {
        total_bytes: f.sizeBytes,
        used_bytes: f.usedBytes,
        free_bytes: f.availableBytes,
        used_pct: shownPct,
      };
      if (!top || shownPct > top.pct) top = { mount: f.mount, pct: shownPct };
      if (f.inodesTotal !== null) {
        fields.inodes_total = f.inodesTotal;
        fields.inodes_used = f.inodesUsed ?? 0;
        fields.inodes_used_pct = Math.round((inodePct ?? 0) * 100) / 100;
      }
      return { measurement: DISK.name, tags: { mount: f.mount, device: f.device, fstype: f.fsType }, fields };
    });
    const status = worstStatus(statuses);
    const said = status === 'OK' ? say('system.disk.ok', { count: fss.length, ...top }) : say('system.disk.above', {}, problems);
    return { status, ...said, metrics };
  },
});
