/**
 * A real agent (agent/agent.ts, the code the CLI runs) as its own process, for the chaos run, with a ledger: every
 * batch it spools is written down (seq, the results it carries, its points) and so is every batch its spool dropped
 * when full. The run compares the ledger with what reached InfluxDB: each result stored exactly once, or dropped and
 * counted. Configured by environment (see ChaosAgentEnv); the state folder holds credentials written by the seed.
 */
import { appendFileSync } from 'node:fs';
import { Agent } from '../../agent/agent.js';
import { countPoints } from '../../agent/spool.js';

const env = {
  collector: process.env.CHAOS_COLLECTOR!,
  stateDir: process.env.CHAOS_STATE_DIR!,
  name: process.env.CHAOS_NAME!,
  spoolLimitBytes: Number(process.env.CHAOS_SPOOL_LIMIT_BYTES ?? 100 * 1024 * 1024),
  ledger: process.env.CHAOS_LEDGER!,
};

const agent = new Agent({ collectorUrl: env.collector, stateDir: env.stateDir, name: env.name, spoolLimitBytes: env.spoolLimitBytes, batchIntervalSec: 1, insecure: process.env.CHAOS_INSECURE === '1' });
const spool = agent.spool;
const put = spool.put.bind(spool);
// put() is synchronous and acks cannot arrive inside it: whatever leaves the spool during it was dropped for room.
spool.put = (batch) => {
  const before = new Set(spool.pending());
  const frame = put(batch);
  const after = new Set(spool.pending());
  const dropped = [...before, frame.seq].filter((s) => !after.has(s));
  const results = (frame.results ?? []).map((r) => [r.name, r.startedAt] as const);
  appendFileSync(env.ledger, `${JSON.stringify({ seq: frame.seq, results, points: countPoints(frame), dropped })}\n`);
  return frame;
};

await agent.start();
process.once('SIGTERM', () => void agent.stop().then(() => process.exit(0)));
