import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ChaosRig, seededRandom, waitUntil } from '../../bench/chaos/scenario.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The chaos run, short (issue 16, item 2; the long one is `npm run bench:chaos`): a collector process on real
 * InfluxDB with two real agents (processes, checks every second) and 100 synthetic agents; the collector SIGKILLed
 * three times at seeded moments and InfluxDB stopped for 10 s, one fault injected on a real agent meanwhile.
 * Afterwards every result is stored exactly once or was dropped by a full spool and counted (agent B's spool is
 * small on purpose), the count shows in the host API, and the fault made exactly one ticket.
 */
describe('chaos (short)', () => {
  const work = tempDir('chaos-short');
  const rng = seededRandom(16_02);
  const rig = new ChaosRig({
    workDir: work.path,
    syntheticAgents: 100,
    swarmFlushMs: 2000,
    // B's spool holds about five batches: the outages overflow it.
    agents: [{ name: 'chaos-a' }, { name: 'chaos-b', spoolLimitBytes: 6 * 1024 }],
  });
  const at = (from: number, to: number) => Math.round(from + rng() * (to - from));

  beforeAll(async () => {
    await rig.start();
  });

  afterAll(async () => {
    await rig.stop();
    work.remove();
  });

  test('three SIGKILLs and an InfluxDB outage: every result stored once or counted as dropped; one fault, one ticket', async () => {
    const [a, b] = rig.agents as [(typeof rig.agents)[0], (typeof rig.agents)[0]];
    const t0 = Date.now();
    const timeline: string[] = [];
    const mark = (m: string) => timeline.push(`${((Date.now() - t0) / 1000).toFixed(1)} s ${m}`);
    const pause = (from: number, to: number) => new Promise((r) => setTimeout(r, at(from, to)));
    // The fault: A's service port closes, and stays closed until its ticket is there.
    await rig.setSvc(a, false);
    mark('fault on chaos-a');
    await pause(300, 1500);
    await rig.influx.stop();
    const influxDownAt = Date.now();
    mark('InfluxDB stopped');
    await pause(300, 1500);
    await rig.killCollector(); // SIGKILL, restarted while InfluxDB is down
    mark('SIGKILL 1, collector back');
    await pause(300, 1500);
    await rig.killCollector();
    mark('SIGKILL 2, collector back');
    await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - influxDownAt))));
    await rig.influx.start();
    mark('InfluxDB started');
    await pause(500, 2000);
    await rig.killCollector();
    mark('SIGKILL 3, collector back');

    await waitUntil('the fault ticket of chaos-a', () => rig.tickets().some((t) => t.hostId === a.hostId && t.checkName === 'svc'), 120_000);
    await rig.setSvc(a, true);
    mark('ticket open, fault repaired');
    const cut = rig.cut();

    // Everything spooled up to the cut arrives (live results keep flowing meanwhile).
    await waitUntil(
      'every result up to the cut stored or dropped',
      async () => (await Promise.all(rig.agents.map((x) => rig.reconcile(x, cut.get(x.name)!)))).every((r) => r.missing.length === 0),
      120_000,
      500,
    );
    mark('all results up to the cut arrived');
    const ra = await rig.reconcile(a, cut.get(a.name)!);
    const rb = await rig.reconcile(b, cut.get(b.name)!);
    expect(ra.unexpected).toEqual([]);
    expect(rb.unexpected).toEqual([]);
    expect(ra.missing).toEqual([]);
    expect(rb.missing).toEqual([]);
    // A's spool is large: nothing dropped, so every result it produced is stored, once.
    expect(ra.dropped).toBe(0);
    expect(ra.stored).toBe(ra.produced);
    // B's small spool overflowed: what it dropped is counted, and the host API shows the same number.
    expect(rb.dropped).toBeGreaterThan(0);
    await waitUntil('the dropped count on the host API', async () => (await rig.shownDroppedPoints(b)) === (await rig.reconcile(b, cut.get(b.name)!)).droppedPoints, 60_000, 500);
    expect(await rig.shownDroppedPoints(a)).toBe(0);

    // Synthetic agents: every batch the collector acked is in the store.
    const synthetic = await rig.syntheticBatches();
    expect(synthetic.stored).toBeGreaterThanOrEqual(synthetic.acked);

    // One fault, one ticket; the restarts and the outage opened none (no host went silent past the grace).
    const tickets = rig.tickets();
    expect(tickets.map((t) => [t.hostId, t.kind, t.checkName])).toEqual([[a.hostId, 'check', 'svc']]);
    await waitUntil('the fault ticket recovered', () => rig.tickets()[0]!.state === 'recovered', 60_000);
    mark('ticket recovered');
    console.log(`chaos (short): ${timeline.join('; ')}; chaos-a ${ra.stored} results stored once; chaos-b ${rb.stored} stored, ${rb.dropped} dropped (${rb.droppedButStored} of them stored before the drop), ${rb.droppedPoints} points counted; collector starts ${rig.restartMs.map((m) => Math.round(m)).join('/')} ms; synthetic reconnects ${rig.storms.map((x) => Math.round(x.ms)).join('/')} ms`);
  }, 300_000);
});
