import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import fds from '../../../checks/system/fds.js';
import { runCheck, testCheckContext } from '../../helpers/check-context.js';

describe('system.fds', () => {
  test('reads the kernel figures: used and max match /proc/sys/fs/file-nr', async () => {
    const r = await runCheck(fds, testCheckContext());
    const [, , max] = readFileSync('/proc/sys/fs/file-nr', 'utf8').trim().split(/\s+/).map(Number);
    expect(r.status).toBe('OK');
    expect(r.metrics![0]!.fields.max).toBe(max);
    expect(r.metrics![0]!.fields.used).toBeGreaterThan(10);
  });

  test('a threshold below the current use trips CRITICAL', async () => {
    const r = await runCheck(fds, testCheckContext(), { warnPct: 0, critPct: 0 });
    expect(r.status).toBe('CRITICAL');
  });
});
