import { z } from 'zod';
import { defineCheck } from '../define.js';
import { statusAbove, worstStatus, type Status } from '../../shared/status.js';

/**
 * A file's age and size, mostly to prove that last night's backup was written and is not empty. Read
 * with `stat` so it works the same over SSH.
 */
export default defineCheck({
  id: 'system.file',
  title: { en: 'File age and size', zh: '文件时间与大小' },
  params: z.object({
    path: z.string().min(1),
    warnAgeHours: z.number().positive().default(26),
    critAgeHours: z.number().positive().default(50),
    /** Smaller than this is a failed or truncated backup. */
    warnMinBytes: z.number().nonnegative().default(0),
    critMinBytes: z.number().nonnegative().default(1),
    /** A file that is not there at all. */
    missingStatus: z.enum(['WARNING', 'CRITICAL', 'UNKNOWN']).default('CRITICAL'),
  }),
  async run(ctx, p) {
    // %Y mtime (epoch s), %s size; -L follows a 'latest' symlink to the real backup; '--' so a path is never an option.
    const r = await ctx.exec.exec('stat', ['-L', '-c', '%Y %s', '--', p.path]);
    if (r.code !== 0) {
      if (/No such file or directory/i.test(r.stderr)) {
        return {
          status: p.missingStatus,
          summary: `${p.path} is missing`,
          metrics: [{ measurement: 'file', tags: { path: p.path }, fields: { exists: 0 } }],
        };
      }
      return { status: 'UNKNOWN', summary: `cannot stat ${p.path}: ${r.stderr.trim().split('\n')[0] || `exit ${r.code}`}` };
    }
    const m = /^(\d+) (\d+)$/.exec(r.stdout.trim());
    if (!m) return { status: 'UNKNOWN', summary: `unexpected stat output: ${r.stdout.trim().slice(0, 100)}` };
    const mtimeMs = Number(m[1]) * 1000;
    const sizeBytes = Number(m[2]);
    const ageSec = Math.max(0, (ctx.now() - mtimeMs) / 1000);
    const ageHours = ageSec / 3600;
    const statuses: Status[] = [statusAbove(ageHours, p.warnAgeHours, p.critAgeHours)];
    const problems: string[] = [];
    if (statuses[0] !== 'OK') problems.push(`older than ${statuses[0] === 'CRITICAL' ? p.critAgeHours : p.warnAgeHours} h`);
    // A size exactly at the minimum passes: "smaller than N bytes" is the alarm.
    const sizeStatus = sizeBytes < p.critMinBytes ? 'CRITICAL' : sizeBytes < p.warnMinBytes ? 'WARNING' : 'OK';
    statuses.push(sizeStatus);
    if (sizeStatus !== 'OK') problems.push(`smaller than ${sizeStatus === 'CRITICAL' ? p.critMinBytes : p.warnMinBytes} bytes`);
    return {
      status: worstStatus(statuses),
      summary: `${p.path}: ${sizeBytes} bytes, modified ${formatAge(ageSec)} ago${problems.length ? ` (${problems.join(', ')})` : ''}`,
      metrics: [{ measurement: 'file', tags: { path: p.path }, fields: { exists: 1, age_sec: Math.round(ageSec), size_bytes: sizeBytes } }],
    };
  },
});

function formatAge(sec: number): string {
  if (sec < 3600) return `${Math.round(sec / 60)} min`;
  if (sec < 172800) return `${(sec / 3600).toFixed(1)} h`;
  return `${(sec / 86400).toFixed(1)} d`;
}
