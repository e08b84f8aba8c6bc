import { expect, test } from 'vitest';
import { writeFileSync, chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Scheduler } from '../../agent/scheduler.js';
import { Agent } from '../../agent/agent.js';
import { localExecutor } from '../../checks/exec/local-executor.js';
import { localSystemProbe } from '../../checks/system/local-probe.js';
import { execPolicy } from '../../checks/exec/exec-policy.js';
import { createLogger } from '../../shared/logger.js';
import type { CheckResult } from '../../shared/check-result.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/ports.js';

// A stopped agent's folder may be removed at once (tests, `patrol uninstall`): a check that was still running at
// stop() once spooled its batch afterwards, into a folder that was gone (an uncaught ENOENT in the collector's CI run).

test('a check still running when the scheduler stops reports nothing', async () => {
  const dir = tempDir('scheduler-stop');
  try {
    const started = join(dir.path, 'started');
    const script = join(dir.path, 'slow.sh');
    writeFileSync(script, `#!/bin/sh\ntouch ${started}\nsleep 1\necho "OK - finished"\n`);
    chmodSync(script, 0o755);
    const exec = localExecutor();
    const results: CheckResult[] = [];
    const scheduler = new Scheduler(
      { now: Date.now, exec, host: { hostname: 'h', os: '', kernel: '', arch: '', cpuCores: 1, memoryBytes: 0 }, system: localSystemProbe(exec), stateFor: () => ({ get: () => undefined, set: () => {} }), log: createLogger('test'), execPolicy: execPolicy({ allowCommandDirs: [dir.path] }, 'test agent.json') },
      (r) => results.push(r),
      1,
    );
    scheduler.apply([{ name: 'slow', checkId: 'script.nagios', params: { command: script }, intervalSec: 60, timeoutSec: 5 }]);
    await waitFor(() => readdirSync(dir.path).includes('started'), 'the check to start', 5_000);
    scheduler.stop();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(results).toEqual([]);
  } finally {
    dir.remove();
  }
});

test('a result submitted to a stopped agent is not spooled', async () => {
  const dir = tempDir('agent-stop');
  try {
    const agent = new Agent({ collectorUrl: 'wss://127.0.0.1:1/agent', stateDir: dir.path, name: 'stopped', batchIntervalSec: 0.1 });
    const result: CheckResult = { name: 'late', checkId: 'system.memory', status: 'OK', summary: 'late', metrics: [], startedAt: Date.now(), durationMs: 1 };
    agent.submit(result);
    await agent.stop();
    const spooled = agent.spool.stats().batches;
    agent.submit(result);
    agent.flush();
    await new Promise((r) => setTimeout(r, 300));
    expect(agent.spool.stats().batches).toBe(spooled);
  } finally {
    dir.remove();
  }
});
