import type { CheckAssignment } from '../shared/assignment.js';
import { CheckMessageSchema, cutForWire, cutSummary, MAX_DETAILS_BYTES, type CheckResult } from '../shared/check-result.js';
import type { HostFacts } from '../shared/host-facts.js';
import type { Logger } from '../shared/logger.js';
import { MetricSchema, type Metric } from '../shared/metric.js';
import { formatZodError } from '../shared/protocol.js';
import type { CheckDefinition, CheckState, CollectorClockOffset, Executor } from './define.js';
import type { ExecPolicy } from './exec/exec-policy.js';
import { passwordEnvProblem, type PasswordEnvSide } from './database/credentials.js';
import { refused } from './exec/refusal.js';
import { loadCheck } from './catalog.js';
import type { SystemProbe } from './system/probe.js';
import { say } from './run-messages.js';

/** What a place that runs checks (agent, collector's remote poller) provides to every run. */
export interface CheckRuntime {
  now(): number;
  exec: Executor;
  host: HostFacts;
  system: SystemProbe;
  stateFor(assignmentName: string): CheckState;
  log: Logger;
  /** Tags on every metric, e.g. { host: 'db1' }. */
  baseTags?: Record<string, string>;
  /** An agent's estimate of the collector's clock (CheckContext.collectorClockOffset); absent in the collector. */
  collectorClockOffset?(): CollectorClockOffset | null;
  /** What this place allows to be executed for the collector (CheckContext.execPolicy); absent: the plugin folders. */
  execPolicy?: ExecPolicy;
  /**
   * Whose environment `passwordEnv` reads: 'agent' (its agent.env) or 'collector' (PATROL_CHECK_* names only).
   * Absent: 'collector', the stricter.
   */
  passwordEnvSide?: PasswordEnvSide;
}

/**
 * Run one assigned check to a CheckResult. Never throws and never takes longer than the timeout:
 * a hung check, a bad parameter or an exception all become UNKNOWN with a clear summary.
 */
export async function runAssignment(a: CheckAssignment, rt: CheckRuntime): Promise<CheckResult> {
  // Loaded on first use (checks/catalog.ts): the agent holds only the code of the checks it is assigned.
  let def: CheckDefinition | undefined;
  try {
    def = await loadCheck(a.checkId);
  } catch (err) {
    return runCheckDefinition(undefined, a, rt, (err as Error).message);
  }
  return runCheckDefinition(def, a, rt);
}

/** runAssignment with the check's definition given (the registry's, or a test's own). */
export async function runCheckDefinition(def: CheckDefinition | undefined, a: CheckAssignment, rt: CheckRuntime, loadError?: string): Promise<CheckResult> {
  const startedAt = rt.now();
  const t0 = performance.now();
  // Cut to the wire limits here, for every check: one result over them would make the collector refuse the whole
  // batch, and with it every other result of that flush.
  const finish = ({ summary, details, message, ...r }: Pick<CheckResult, 'status' | 'summary' | 'details' | 'metrics' | 'message'>): CheckResult => ({
    name: a.name,
    checkId: a.checkId,
    startedAt,
    durationMs: Math.round((performance.now() - t0) * 1000) / 1000,
    ...r,
    summary: cutSummary(summary),
    // A message the wire would refuse (a check's bug) would make the collector refuse the whole batch: the
    // summary alone travels then.
    ...(message === undefined || !CheckMessageSchema.safeParse(message).success ? {} : { message }),
    ...(details === undefined ? {} : { details: cutForWire(details, MAX_DETAILS_BYTES) }),
  });
  if (!def) return finish({ status: 'UNKNOWN', ...(loadError === undefined ? say('check.unknownType', { checkId: a.checkId }) : say('check.notLoaded', { error: loadError })), metrics: [] });
  const params = def.params.safeParse(a.params);
  if (!params.success) {
    return finish({ status: 'UNKNOWN', ...say('check.badParams', { error: formatZodError(params.error) }), metrics: [] });
  }
  // Every check that takes a password by name (the database checks) is held to the same rule, here in one place.
  const envName = (params.data as { passwordEnv?: unknown } | null)?.passwordEnv;
  if (typeof envName === 'string') {
    const problem = passwordEnvProblem(envName, rt.passwordEnvSide ?? 'collector');
    if (problem) return finish({ ...refused('secret.refused.envName', { name: envName, ...problem.values }), metrics: [] });
  }
  const controller = new AbortController();
  const log = rt.log.child({ check: a.name });
  const baseTags = { ...rt.baseTags, check: a.name };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve('timeout');
    }, a.timeoutSec * 1000);
  });
  try {
    const outcome = await Promise.race([
      def.run(
        {
          now: rt.now,
          exec: rt.exec,
          host: rt.host,
          system: rt.system,
          state: rt.stateFor(a.name),
          log,
          signal: controller.signal,
          baseTags,
          ...(rt.collectorClockOffset ? { collectorClockOffset: rt.collectorClockOffset } : {}),
          ...(rt.execPolicy ? { execPolicy: rt.execPolicy } : {}),
        },
        params.data,
      ),
      timeout,
    ]);
    if (outcome === 'timeout') {
      return finish({ status: 'UNKNOWN', ...say('check.timedOut', { sec: a.timeoutSec }), metrics: [] });
    }
    const metrics: Metric[] = [];
    const bad: string[] = [];
    for (const m of outcome.metrics ?? []) {
      const parsed = MetricSchema.safeParse({ ...m, tags: { ...baseTags, ...m.tags }, time: m.time ?? startedAt });
      if (parsed.success) metrics.push(parsed.data);
      else bad.push(formatZodError(parsed.error));
    }
    if (bad.length) log.warn({ bad: bad.slice(0, 3) }, 'check produced invalid metrics; dropped them');
    return finish({ status: outcome.status, summary: outcome.summary, message: outcome.message, details: outcome.details, metrics });
  } catch (err) {
    log.warn({ err }, 'check failed');
    return finish({ status: 'UNKNOWN', ...say('check.failed', { error: (err as Error).message }), metrics: [] });
  } finally {
    clearTimeout(timer);
  }
}
