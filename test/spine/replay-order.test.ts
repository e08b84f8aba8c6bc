import { afterAll, expect, test } from 'vitest';
import { Agent } from '../../agent/agent.js';
import { Spool } from '../../agent/spool.js';
import { StateDir } from '../../agent/state-dir.js';
import type { CheckResult } from '../../shared/check-result.js';
import type { IngestListener } from '../../collector/ingest/listener.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/ports.js';

const state = tempDir('replay');
let collector: TestCollector | undefined;
let agent: Agent | undefined;
afterAll(async () => {
  await agent?.stop();
  await collector?.destroy();
  state.remove();
});

// Results of an assigned check (the collector takes no other), told apart by their summary.
const result = (label: string, startedAt: number): CheckResult => ({ name: 'system.cpu', checkId: 'system.cpu', status: 'OK', summary: label, startedAt, durationMs: 1, metrics: [] });

test('after an outage the backlog replays oldest first while live results go out beside it (icinga2#10030)', async () => {
  const arrived: string[] = [];
  // A slow consumer (50 ms a batch) so the replay takes a while; when the 5th old batch arrives, a live
  // result is produced (from here, so the moment does not depend on timers).
  const recorder: IngestListener = {
    onResults: async (_h, results) => {
      arrived.push(...results.map((r) => r.summary));
      if (arrived.length === 5) {
        agent!.submit(result('live', Date.now()));
        agent!.flush();
      }
      await new Promise((r) => setTimeout(r, 50));
    },
  };
  collector = await startTestCollector({}, { listeners: [recorder] });
  const h = collector.enrollHost('acme', 'replayer');
  // An agent that was cut off for a while: 40 batches waiting in its spool.
  const dir = new StateDir(state.path);
  dir.writeCredentials({ agentId: h.agentId, agentKey: h.agentKey, hostId: h.hostId, customerId: 'acme', collectorUrl: collector.wsUrl });
  const spool = new Spool(dir.spoolDir);
  for (let i = 0; i < 40; i++) spool.put({ results: [result(`old-${String(i).padStart(2, '0')}`, Date.now() - 3600_000 + i)], metrics: [] });

  agent = new Agent({ collectorUrl: collector.wsUrl, stateDir: state.path });
  await agent.start();
  await waitFor(() => arrived.length === 41, 'all 41 batches', 90_000);

  const old = arrived.filter((n) => n.startsWith('old-'));
  expect(old).toEqual([...old].sort()); // the backlog in order
  // Live waited at most for the batches already in flight (window of 4) and one backlog turn, not for the backlog.
  expect(arrived.indexOf('live')).toBeLessThanOrEqual(5 + 4 + 2);
  // Order is what is tested, not speed: under heavy load the 41 turns can take far longer than their 2 s.
}, 120_000);
