import { describe, expect, test } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { runAssignment } from '../../checks/run.js';
import { CheckAssignmentSchema } from '../../shared/assignment.js';
import { CheckResultSchema } from '../../shared/check-result.js';
import { memoryState, testRuntime } from '../helpers/check-context.js';
import { ensureDebianPackage } from '../helpers/system-packages.js';

const PART_A = [
  'system.process', 'system.service', 'system.listening-ports', 'system.clock', 'system.file', 'system.log-pattern',
  'system.fds', 'system.zombies', 'system.inventory', 'network.ping', 'network.tcp', 'network.http', 'network.dns', 'script.nagios',
];

describe('check registry (system, network, script)', () => {
  test('every check is registered with a zh and an en title', () => {
    for (const id of PART_A) {
      const def = CHECKS.get(id);
      expect(def, id).toBeDefined();
      expect(def!.title.zh).toMatch(/\S/);
      expect(def!.title.en).toMatch(/\S/);
    }
  });

  test('run through the scheduler path, results and metrics pass the wire schema unchanged', async () => {
    const checkLoad = ensureDebianPackage('monitoring-plugins-basic', '/usr/lib/nagios/plugins/check_load');
    const rt = testRuntime({ baseTags: { host: 'h' } });
    const cases = [
      { checkId: 'system.fds', params: {} },
      { checkId: 'system.zombies', params: {} },
      { checkId: 'system.inventory', params: {} },
      { checkId: 'system.service', params: { services: ['ssh'] } },
      { checkId: 'script.nagios', params: { command: checkLoad, args: ['-w', '900,900,900', '-c', '999,999,999'] } },
    ];
    for (const c of cases) {
      const def = CHECKS.get(c.checkId)!;
      const direct = await def.run({ ...rt, state: memoryState(), signal: new AbortController().signal, baseTags: {} }, def.params.parse(c.params));
      const r = await runAssignment(CheckAssignmentSchema.parse({ name: c.checkId, ...c }), rt);
      expect(() => CheckResultSchema.parse(r), c.checkId).not.toThrow();
      expect(r.status, `${c.checkId}: ${r.summary}`).not.toMatch(/^check failed|bad parameters/);
      // The runner drops metrics that fail the schema; none may be dropped.
      expect(r.metrics.length, c.checkId).toBe(direct.metrics?.length ?? 0);
    }
  });
});
