import { z } from 'zod';
import type { Status } from '../shared/status.js';
import type { MetricInput } from '../shared/metric.js';
import type { HostFacts } from '../shared/host-facts.js';
import type { Logger } from '../shared/logger.js';
import type { SystemProbe } from './system/probe.js';
import type { CheckMessage } from '../shared/check-result.js';
import type { ExecPolicy } from './exec/exec-policy.js';

/** Result of running a program (no shell) through the context's executor. */
export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** True when the executor killed the program at its timeout. */
  timedOut: boolean;
}

export interface ExecOptions {
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Bytes kept of stdout and of stderr each; the rest is dropped (a chatty plugin must not eat memory). */
  maxOutputBytes?: number;
  /** Kill the program when this aborts (the check's own timeout: pass ctx.signal). */
  signal?: AbortSignal;
}

/**
 * Runs programs and reads files on the checked host. The agent gives a local executor, the collector an
 * SSH executor; a check never knows which.
 */
export interface Executor {
  /**
   * Where the commands run: 'local', 'ssh', or 'none' (an SNMP device: nothing runs anywhere). For logs and
   * summaries, and for resolving paths on the right machine (checks/exec/exec-policy.ts).
   */
  readonly kind: 'local' | 'ssh' | 'none';
  exec(command: string, args: string[], opts?: ExecOptions): Promise<ExecResult>;
  readFile(path: string): Promise<string>;
}

/** Per-check persisted memory (previous counters, last boot time, file offsets). */
export interface CheckState {
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): void;
}

/** The agent's estimate of how far the collector's clock is from its own. */
export interface CollectorClockOffset {
  /** Collector clock minus this host's clock (positive: the host is behind). */
  offsetMs: number;
  /** Round trip of the hello -> welcome exchange it was measured on; the estimate is good to half of it. */
  rttMs: number;
  /** When it was measured, on this host's clock (epoch ms). */
  measuredAt: number;
}

export interface CheckContext {
  /** Epoch milliseconds; injected so tests control time. */
  now(): number;
  /**
   * Given where checks run in an agent: its latest estimate of the collector's clock against its own (null
   * until the first welcome). Absent where the collector itself runs the check (agentless hosts): there the
   * check's own clock is the collector's.
   */
  collectorClockOffset?(): CollectorClockOffset | null;
  exec: Executor;
  /** Facts about the host (collected by the agent or the remote poller). */
  host: HostFacts;
  /** System figures (local: systeminformation; remote: /proc over the executor). */
  system: SystemProbe;
  state: CheckState;
  log: Logger;
  /** Aborted when the check's timeout passes; long checks should pass it on. */
  signal: AbortSignal;
  /** Tags added to every metric of this run (host, check name). */
  baseTags: Record<string, string>;
  /**
   * What the place where the check runs allows to be executed. A check that runs a command, an argument or an
   * environment value given by the collector (script.nagios) must pass it through `authorizeExec` first; built-in
   * checks' own fixed commands (ps, systemctl, stat) are part of Patrol and do not. Absent: the default list
   * (the monitoring-plugins folders only).
   */
  execPolicy?: ExecPolicy;
}

/** What a check's run() returns; the scheduler adds name, timings and base tags. */
export interface CheckOutcome {
  status: Status;
  /** English sentence: the fallback where `message` is not rendered (logs, old readers). */
  summary: string;
  /** The summary as a message key with values, for readers that render zh or en. */
  message?: CheckMessage;
  details?: string;
  metrics?: Array<Omit<MetricInput, 'time'> & { time?: number }>;
}

export interface CheckDefinition<P extends z.ZodType = z.ZodType> {
  id: string;
  title: { en: string; zh: string };
  params: P;
  run(ctx: CheckContext, params: z.infer<P>): Promise<CheckOutcome>;
}

export function defineCheck<P extends z.ZodType>(def: CheckDefinition<P>): CheckDefinition<P> {
  return def;
}

/** Shorthand for a check that could not judge: missing data is UNKNOWN, never 0% or a crash. */
export function unknown(summary: string): CheckOutcome {
  return { status: 'UNKNOWN', summary };
}
