import { z } from 'zod';
import { defineCheck, type CheckOutcome } from '../define.js';
import { statusFromExitCode } from '../../shared/status.js';
import { parsePluginOutput, type PerfdataItem } from './perfdata.js';
import { authorizeExec, DEFAULT_EXEC_POLICY } from '../exec/exec-policy.js';
import { say } from './messages.js';

/** Limits of CheckResult (shared/check-result.ts): a chatty plugin is cut, never rejected. */
const MAX_SUMMARY_CHARS = 2000;
const MAX_DETAILS_CHARS = 16000;

/**
 * A Nagios / Icinga / monitoring-plugins executable that the host allows (ctx.execPolicy: the plugin folders by
 * default, more in that host's agent.json): argv (never a shell, so no quoting surprises and no injection through
 * parameters), exit 0/1/2/3 -> OK/WARNING/CRITICAL/UNKNOWN, first line summary, long output into details, perfdata
 * into `nagios` metrics with units normalised. Command, arguments and environment all come from the collector,
 * so all of them pass the host's policy before anything runs; a refusal is UNKNOWN saying which rule and where.
 */
export default defineCheck({
  id: 'script.nagios',
  title: { en: 'Nagios plugin', zh: 'Nagios 插件脚本' },
  params: z.object({
    /** Absolute path of the plugin, e.g. /usr/lib/nagios/plugins/check_load. */
    command: z.string().min(1).max(4000),
    args: z.array(z.string().max(4000)).max(200).default([]),
    /**
     * Kill the plugin (and its children) after this long and report UNKNOWN. Keep it below the assignment's
     * timeout (default 30 s), so the plugin's own timeout is the one that fires and the process is killed.
     */
    timeoutSec: z.number().positive().max(3600).default(25),
    env: z.record(z.string(), z.string()).default({}),
  }),
  async run(ctx, p) {
    const refusal = await authorizeExec(ctx.execPolicy ?? DEFAULT_EXEC_POLICY, p, ctx.exec);
    if (refusal) {
      ctx.log.warn({ command: p.command, refused: refusal.message?.key }, 'plugin refused by the host\'s exec policy; nothing run');
      return refusal;
    }
    const r = await ctx.exec.exec(p.command, p.args, { timeoutMs: p.timeoutSec * 1000, env: p.env, signal: ctx.signal });
    const name = p.command.split('/').pop() ?? p.command;
    if (r.timedOut) {
      return { status: 'UNKNOWN', ...say('script.timedOut', { name, sec: p.timeoutSec }) };
    }
    if (r.code === null) {
      return { status: 'UNKNOWN', ...say('script.cannotRun', { command: p.command, error: firstLine(r.stderr) || 'no exit code' }) };
    }
    const out = parsePluginOutput(r.stdout);
    if (out.badPerfdata.length) ctx.log.warn({ bad: out.badPerfdata.slice(0, 5), plugin: name }, 'unparsable perfdata items skipped');
    // Exit codes above 3 (a crashed shell script, 126/127 "cannot execute"/"not found") are UNKNOWN, as in Nagios.
    const status = statusFromExitCode(r.code);
    const text = cut(out.summary || firstLine(r.stderr), MAX_SUMMARY_CHARS);
    const said = !text ? say('script.silent', { name, code: r.code }) : r.code > 3 ? say('script.outputExit', { text, code: r.code }) : say('script.output', { text });
    const outcome: CheckOutcome = {
      status,
      ...said,
      summary: cut(said.summary, MAX_SUMMARY_CHARS),
      metrics: out.perfdata.flatMap(toMetric),
    };
    const details = [out.longOutput, r.code !== 0 && r.stderr.trim() ? `stderr: ${r.stderr.trim()}` : ''].filter(Boolean).join('\n');
    if (details) outcome.details = cut(details, MAX_DETAILS_CHARS);
    return outcome;
  },
});

function toMetric(item: PerfdataItem) {
  const fields: Record<string, number> = {};
  if (item.value !== null) fields.value = item.value;
  if (item.warn !== null) fields.warn = item.warn;
  if (item.crit !== null) fields.crit = item.crit;
  if (item.min !== null) fields.min = item.min;
  if (item.max !== null) fields.max = item.max;
  if (Object.keys(fields).length === 0) return [];
  // An empty tag value is not allowed in line protocol: no unit, no tag.
  const tags: Record<string, string> = { label: item.label.slice(0, 512) };
  if (item.unit) tags.unit = item.unit.slice(0, 512);
  return [{ measurement: 'nagios', tags, fields }];
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0]?.trim() ?? '';
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
