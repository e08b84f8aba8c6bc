import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import processCheck from '../../../checks/system/process.js';
import zombies from '../../../checks/system/zombies.js';
import { runCheck, testCheckContext } from '../../helpers/check-context.js';

// A recognisable process of our own: `sleep` with a marker argument nothing else on the machine uses.
const marker = `${Math.floor(1e6 + Math.random() * 8e6)}`;
const sleepers: ChildProcess[] = [];

beforeAll(() => {
  for (let i = 0; i < 2; i++) sleepers.push(spawn('sleep', [`${marker}.5`], { stdio: 'ignore' }));
});
afterAll(() => {
  for (const s of sleepers) s.kill('SIGKILL');
});

describe('system.process', () => {
  test('two sleepers matched by command line: running, count 2, RSS from ps', async () => {
    const r = await runCheck(processCheck, testCheckContext(), { processes: [{ name: 'sleeper', cmdline: `^sleep ${marker}\\.5$`, minCount: 2, maxCount: 2 }] });
    expect(r.status).toBe('OK');
    expect(r.metrics![0]).toMatchObject({ measurement: 'process', tags: { name: 'sleeper' }, fields: { count: 2, running: 1 } });
    expect(r.metrics![0]!.fields.rss_bytes).toBeGreaterThan(0);
  });

  test('match by command name finds this node process', async () => {
    const r = await runCheck(processCheck, testCheckContext(), { processes: [{ name: 'node' }] });
    expect(r.status).toBe('OK');
    expect(r.metrics![0]!.fields.count).toBeGreaterThanOrEqual(1);
  });

  test('a process that is not running is CRITICAL; too many is WARNING; too much memory trips RSS thresholds', async () => {
    const ctx = testCheckContext();
    const absent = await runCheck(processCheck, ctx, { processes: [{ name: 'no-such-daemon-x' }] });
    expect(absent.status).toBe('CRITICAL');
    expect(absent.summary).toMatch(/no-such-daemon-x: 0 running/);
    const many = await runCheck(processCheck, ctx, { processes: [{ name: 'sleeper', cmdline: `^sleep ${marker}`, maxCount: 1 }] });
    expect(many.status).toBe('WARNING');
    const fat = await runCheck(processCheck, ctx, { processes: [{ name: 'sleeper', cmdline: `^sleep ${marker}`, warnRssBytes: 1, critRssBytes: 1e12 }] });
    expect(fat.status).toBe('WARNING');
  });
});

describe('system.zombies', () => {
  test('a parent that never reaps its child leaves a zombie that is counted and named', async () => {
    // The shell starts a short child and then becomes `sleep` (exec), which never waits: a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & exec sleep 5'], { stdio: 'ignore' });
    try {
      const ctx = testCheckContext();
      let r = await runCheck(zombies, ctx, { warnCount: 1, critCount: 1000 });
      for (let i = 0; i < 50 && !r.details?.includes(`ppid ${parent.pid} `); i++) {
        await new Promise((res) => setTimeout(res, 50));
        r = await runCheck(zombies, ctx, { warnCount: 1, critCount: 1000 });
      }
      expect(r.details).toContain(`ppid ${parent.pid} sleep`);
      expect(r.status).toBe('WARNING');
      expect(r.metrics![0]!.fields.zombies).toBeGreaterThanOrEqual(1);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  test('under the threshold it is OK with the counts as metrics', async () => {
    const r = await runCheck(zombies, testCheckContext(), { warnCount: 100000, critCount: 200000 });
    expect(r.status).toBe('OK');
    expect(r.metrics![0]!.fields.total).toBeGreaterThan(1);
  });
});
