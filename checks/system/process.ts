import { z } from 'zod';
import { defineCheck } from '../define.js';
import { statusAbove, worstStatus, type Status } from '../../shared/status.js';
import { readProcessTable, type ProcessRow } from './process-table.js';
import { regexParam } from '../regex-param.js';
import { part, say } from './messages.js';
import type { CheckMessagePart } from '../../shared/check-result.js';

const ProcessSpecSchema = z.object({
  /** What the summary and the `name` tag call it; also the command name to match when no cmdline is given. */
  name: z.string().min(1).max(200),
  /** Regex on the full command line (e.g. "java .*-jar /opt/erp/erp.jar"); wins over the name match. */
  cmdline: regexParam(500).optional(),
  /** Fewer running than this is CRITICAL (0 allows "may be absent"). */
  minCount: z.number().int().nonnegative().default(1),
  /** More running than this is WARNING (a runaway fork, a second copy started by hand). */
  maxCount: z.number().int().positive().optional(),
  /** Total resident memory of all matching processes. */
  warnRssBytes: z.number().positive().optional(),
  critRssBytes: z.number().positive().optional(),
});

/** Named processes: running, how many, how much memory; matched by command name or command-line regex. */
export default defineCheck({
  id: 'system.process',
  title: { en: 'Processes', zh: '进程' },
  params: z.object({ processes: z.array(ProcessSpecSchema).min(1) }),
  async run(ctx, p) {
    const table = await readProcessTable(ctx.exec, p.processes.some((s) => s.cmdline));
    if ('error' in table) return { status: 'UNKNOWN', ...table.error };
    const statuses: Status[] = [];
    const parts: CheckMessagePart[] = [];
    const metrics = p.processes.map((spec) => {
      const re = spec.cmdline ? new RegExp(spec.cmdline) : null;
      // The kernel cuts the command name at 15 characters, so compare with the cut name.
      const matches = table.filter((r: ProcessRow) => (re ? re.test(r.args) : r.comm === spec.name.slice(0, 15)) && !r.stat.startsWith('Z'));
      const count = matches.length;
      const rssBytes = matches.reduce((s, r) => s + r.rssBytes, 0);
      const s: Status[] = [];
      if (count < spec.minCount) s.push('CRITICAL');
      if (spec.maxCount !== undefined && count > spec.maxCount) s.push('WARNING');
      if (spec.warnRssBytes !== undefined || spec.critRssBytes !== undefined) {
        s.push(statusAbove(rssBytes, spec.warnRssBytes ?? Infinity, spec.critRssBytes ?? Infinity));
      }
      const status = worstStatus(s);
      statuses.push(status);
      const range = spec.maxCount !== undefined ? `${spec.minCount}-${spec.maxCount}` : `>=${spec.minCount}`;
      parts.push(part('system.process.item', { name: spec.name, count, range, rssBytes, status: status === 'OK' ? undefined : status }));
      return {
        measurement: 'process',
        tags: { name: spec.name },
        fields: { count, running: count > 0 ? 1 : 0, rss_bytes: rssBytes },
      };
    });
    return { status: worstStatus(statuses), ...say('system.process.list', {}, parts), metrics };
  },
});
