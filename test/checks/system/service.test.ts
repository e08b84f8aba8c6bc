import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import service from '../../../checks/system/service.js';
import { runCheck, testCheckContext } from '../../helpers/check-context.js';

describe('system.service', () => {
  // This machine (and CI) has no systemd as PID 1: the check must say so, not crash or claim "inactive".
  test.runIf(!existsSync('/run/systemd/system'))('without systemd the result is UNKNOWN "systemd not available"', async () => {
    const r = await runCheck(service, testCheckContext(), { services: ['ssh', 'cron'] });
    expect(r.status).toBe('UNKNOWN');
    expect(r.summary).toMatch(/^systemd not available/);
  });

  test('a unit name that looks like an option is refused by the parameter schema', () => {
    expect(service.params.safeParse({ services: ['--root=/'] }).success).toBe(false);
    expect(service.params.safeParse({ services: [] }).success).toBe(false);
  });
});
