import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Agent } from '../../agent/agent.js';
import { listCheckStates } from '../../collector/db/check-states.js';
import { runAssignment } from '../../checks/run.js';
import { CheckAssignmentSchema } from '../../shared/assignment.js';
import { testRuntime } from '../helpers/check-context.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

const CLOCK = CheckAssignmentSchema.parse({
  name: 'clock',
  checkId: 'system.clock',
  params: { reference: 'collector', warnOffsetSec: 5, critOffsetSec: 30 },
  intervalSec: 1,
  timeoutSec: 5,
});

/** "clock offset 7.003 s against the collector clock" -> 7.003 */
const offsetOf = (summary: string) => Number(/^clock offset (-?[\d.]+) s against the collector clock$/.exec(summary)?.[1]);

describe('system.clock with reference collector, in an agent', () => {
  let collector: TestCollector;
  let agent: Agent;
  const state = tempDir('agent-clock');
  // The collector's clock, set this far from this machine's (the agent's) by the test.
  let collectorAheadMs = 7000;

  beforeAll(async () => {
    collector = await startTestCollector({ batchIntervalSec: 0.3 }, { now: () => Date.now() + collectorAheadMs, assignments: { forHost: () => [CLOCK] } });
    agent = new Agent({ collectorUrl: collector.wsUrl, stateDir: state.path, enrollToken: collector.token('acme'), name: 'clock-host' });
    await agent.start();
  });
  afterAll(async () => {
    await agent?.stop();
    await collector?.destroy();
    state.remove();
  });

  const latest = (hostId: string) => listCheckStates(collector.db, { hostId }).find((s) => s.name === 'clock');

  test('a collector 7 s ahead: the agent reports the host 7 s behind it (WARNING), from the welcome', async () => {
    const hostId = agent.credentials!.hostId;
    const row = await waitFor(() => latest(hostId), 'a clock result at the collector');
    expect(row.status).toBe('WARNING');
    // The estimate is good to half the hello -> welcome round trip: on loopback, well under half a second.
    expect(offsetOf(row.summary)).toBeGreaterThan(6.5);
    expect(offsetOf(row.summary)).toBeLessThan(7.5);
  });

  test('after a reconnect the estimate is measured again: the collector clock now 42 s behind is CRITICAL', async () => {
    const hostId = agent.credentials!.hostId;
    collectorAheadMs = -42_000;
    collector.hub.disconnectAgent(agent.credentials!.agentId);
    const row = await waitFor(() => {
      const r = latest(hostId);
      return r && offsetOf(r.summary) < 0 ? r : undefined;
    }, 'a clock result from after the reconnect', 30_000);
    expect(row.status).toBe('CRITICAL');
    expect(offsetOf(row.summary)).toBeGreaterThan(-42.5);
    expect(offsetOf(row.summary)).toBeLessThan(-41.5);
  });
});

test('an agent not yet welcomed by the collector cannot judge its clock: UNKNOWN, not the host against itself', async () => {
  const r = await runAssignment(CLOCK, testRuntime({ collectorClockOffset: () => null }));
  expect(r).toMatchObject({ status: 'UNKNOWN', summary: 'not connected to the collector yet' });
});
