import type { z } from 'zod';
import type { CheckContext, CheckDefinition, CheckOutcome, CheckState, Executor } from '../../checks/define.js';
import type { CheckRuntime } from '../../checks/run.js';
import { localExecutor } from '../../checks/exec/local-executor.js';
import { localSystemProbe } from '../../checks/system/local-probe.js';
import type { SystemProbe } from '../../checks/system/probe.js';
import type { HostFacts } from '../../shared/host-facts.js';
import { createLogger } from '../../shared/logger.js';

/** A clock the test moves by hand, so rate and age checks never depend on how fast the machine is. */
export interface TestClock {
  now(): number;
  set(epochMs: number): void;
  advance(ms: number): void;
}

export function testClock(startMs = Date.UTC(2026, 10, 25, 8, 0, 0)): TestClock {
  let t = startMs;
  return {
    now: () => t,
    set: (ms) => {
      t = ms;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

/** Check state kept in a Map the test can look into (what a check remembered between runs). */
export function memoryState(store: Map<string, unknown> = new Map()): CheckState & { store: Map<string, unknown> } {
  return {
    store,
    get: <T>(key: string) => store.get(key) as T | undefined,
    set: (key, value) => {
      // A JSON round trip, as the agent persists state to disk: a check must not rely on keeping live objects.
      store.set(key, value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
    },
  };
}

export interface TestCheckContextOptions {
  /** Defaults to a TestClock starting 2026-11-25 08:00 UTC; pass `Date.now` for checks that compare to real files. */
  clock?: Pick<TestClock, 'now'>;
  exec?: Executor;
  system?: SystemProbe;
  host?: Partial<HostFacts>;
  state?: CheckState;
  signal?: AbortSignal;
  baseTags?: Record<string, string>;
}

/** A CheckContext on this real machine (local executor, systeminformation probe) with test-controlled time and state. */
export function testCheckContext(opts: TestCheckContextOptions = {}): CheckContext {
  const exec = opts.exec ?? localExecutor();
  const clock = opts.clock ?? testClock();
  return {
    now: () => clock.now(),
    exec,
    host: { hostname: 'test-host', os: '', kernel: '', arch: '', cpuCores: 0, memoryBytes: 0, ...opts.host },
    system: opts.system ?? localSystemProbe(exec),
    state: opts.state ?? memoryState(),
    log: createLogger('test-check'),
    signal: opts.signal ?? new AbortController().signal,
    baseTags: opts.baseTags ?? { host: 'test-host' },
  };
}

/** Run a check the way the scheduler does: parameters through the check's zod schema (defaults applied). */
export async function runCheck<P extends z.ZodType>(
  def: CheckDefinition<P>,
  ctx: CheckContext,
  params: z.input<P> | Record<string, unknown> = {},
): Promise<CheckOutcome> {
  return def.run(ctx, def.params.parse(params));
}

/** What runAssignment needs to run a check on this machine (as the agent's scheduler does); override any part. */
export function testRuntime(overrides: Partial<CheckRuntime> = {}): CheckRuntime {
  const exec = overrides.exec ?? localExecutor();
  return {
    now: Date.now,
    exec,
    host: { hostname: 'h', os: '', kernel: '', arch: '', cpuCores: 0, memoryBytes: 0 },
    system: localSystemProbe(exec),
    stateFor: () => memoryState(),
    log: createLogger('test'),
    ...overrides,
  };
}
