import { afterEach, expect, test } from 'vitest';
import { writeFileSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Scheduler } from '../../agent/scheduler.js';
import { localExecutor } from '../../checks/exec/local-executor.js';
import { localSystemProbe } from '../../checks/system/local-probe.js';
import { execPolicy } from '../../checks/exec/exec-policy.js';
import { createLogger } from '../../shared/logger.js';
import type { CheckResult } from '../../shared/check-result.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/ports.js';

const dir = tempDir('scheduler');
let scheduler: Scheduler | undefined;
afterEach(() => scheduler?.stop());

test('a hung check turns UNKNOWN at its timeout, is killed, and never delays the other checks', async () => {
  const marker = join(dir.path, 'still-running');
  const script = join(dir.path, 'hang.sh');
  // Touches a marker after 3 s: if the timeout did not kill it, the marker appears.
  writeFileSync(script, `#!/bin/sh\nsleep 3\ntouch ${marker}\necho "OK - woke up"\n`);
  chmodSync(script, 0o755);
  const exec = localExecutor();
  const results: Array<CheckResult & { at: number }> = [];
  const t0 = Date.now();
  scheduler = new Scheduler(
    { now: Date.now, exec, host: { hostname: 'h', os: '', kernel: '', arch: '', cpuCores: 1, memoryBytes: 0 }, system: localSystemProbe(exec), stateFor: () => ({ get: () => undefined, set: () => {} }), log: createLogger('test'), execPolicy: execPolicy({ allowCommandDirs: [dir.path] }, 'test agent.json') },
    (r) => results.push({ ...r, at: Date.now() - t0 }),
    10,
  );
  scheduler.apply([
    { name: 'hang', checkId: 'script.nagios', params: { command: script }, intervalSec: 60, timeoutSec: 1 },
    { name: 'mem', checkId: 'system.memory', params: {}, intervalSec: 1, timeoutSec: 5 },
  ]);
  await waitFor(() => results.filter((r) => r.name === 'mem').length >= 2 && results.some((r) => r.name === 'hang'), 'results', 10_000);
  const hang = results.find((r) => r.name === 'hang')!;
  expect(hang.status).toBe('UNKNOWN');
  expect(hang.summary).toMatch(/timed out after 1s/);
  // The memory check ran while the other one hung, not after it.
  expect(results.find((r) => r.name === 'mem')!.at).toBeLessThan(hang.at);
  await new Promise((r) => setTimeout(r, 3000));
  expect(existsSync(marker)).toBe(false);
  dir.remove();
});
