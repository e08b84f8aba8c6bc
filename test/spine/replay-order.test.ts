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
  let liveSent = false;
  // A slow consumer (50 ms a batch) so the replay takes a while; when the 5th old batch arrives, a live
  // result is produced (from here, so the moment does not depend on timers). Counted by label: a batch of the
  // agent's own scheduler (several results at once) could otherwise step over the count and no live result go.
  const recorder: IngestListener = {
    onResults: async (_h, results) => {
      arrived.push(...results.map((r) => r.summary));
      if (!liveSent && arrived.filter((n) => n.startsWith('old-')).length === 5) {
        liveSent = true;
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
  // Only this test's results are counted: the agent's own scheduler may add results of its assigned checks (its
  // first batch goes out batchIntervalSec after them, which a slow machine reaches while the backlog still replays).
  const ours = () => arrived.filter((n) => n.startsWith('old-') || n === 'live');
  await waitFor(() => ours().length === 41, 'all 41 batches', 90_000).catch((err: Error) => {
    throw new Error(`${err.message}: ${ours().length} of ours arrived (${arrived.length} results in all), live ${liveSent ? 'sent' : 'not sent'}`);
  });

  const old = arrived.filter((n) => n.startsWith('old-'));
  expect(old).toEqual([...old].sort()); // the backlog in order
  // Live waited at most for the batches already in flight (window of 4) and one backlog turn, not for the backlog.
  expect(ours().indexOf('live')).toBeLessThanOrEqual(5 + 4 + 2);
  // Order is what is tested, not speed: under heavy load the 41 turns can take far longer than their 2 s.
}, 120_000);
