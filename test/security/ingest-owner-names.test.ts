import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { startInfluxDb, type RunningInfluxDb } from '../helpers/influxdb.js';
import { RawAgent } from '../helpers/raw-agent.js';
import { MetricsRejectedError } from '../../collector/metrics/store.js';
import { withGroupCommit } from '../../collector/metrics/group-commit.js';
import { influx1MetricsStore } from '../../collector/metrics/influx1-store.js';
import { listAgentRefusals } from '../../collector/ingest/refusals.js';

/**
 * Issue 11: "an agent writes into another customer's charts" and "values InfluxDB cannot store pass the check".
 * Root on a globex host lies in every way the wire lets it; the acme host's series stay what acme's agent sent,
 * and nothing a store cannot hold reaches it (so no write shared with other agents' batches can fail).
 */
describe.each(['embedded', 'influxdb1'] as const)('owner names and unstorable values, %s store', (storeKind) => {
  let influx: RunningInfluxDb | undefined;
  let collector: TestCollector;
  let acme: { agentId: string; hostId: string; agent: RawAgent };
  let globex: { agentId: string; hostId: string; agent: RawAgent };
  const T = Date.now() - 120_000;
  const db = 'owner_names';

  const connect = async (customerId: string, hostname: string) => {
    const h = collector.enrollHost(customerId, hostname);
    const agent = await RawAgent.connect(collector.wsUrl, h.agentKey);
    await agent.hello(h.agentId);
    return { ...h, agent };
  };
  let seq = 0;
  /** Send a batch and wait for its answer (ack or error). */
  const send = async (a: RawAgent, batch: Record<string, unknown>) => {
    const s = ++seq;
    a.sendRaw(JSON.stringify({ type: 'batch', seq: s, results: [], ...batch }));
    return a.next((f) => (f.type === 'ack' || f.type === 'error') && f.seq === s);
  };
  const acmeMemory = async () => {
    const series = await collector.store.series({ measurement: 'mem', field: 'used_pct', where: { customer: 'acme', host: acme.hostId }, from: T - 60_000, to: T + 60_000, stepMs: 1000, agg: 'max' });
    return series.flatMap((s) => s.points.map((p) => p.value));
  };

  beforeAll(async () => {
    if (storeKind === 'influxdb1') influx = await startInfluxDb();
    collector = await startTestCollector(influx ? { influxUrl: influx.url, influxDatabase: db } : {});
    acme = await connect('acme', 'acme-db');
    globex = await connect('globex', 'globex-web');
    expect(await send(acme.agent, { lines: `mem used_pct=42 ${T}` })).toMatchObject({ type: 'ack' });
  });
  afterAll(async () => {
    acme?.agent.close();
    globex?.agent.close();
    await collector?.destroy();
    await influx?.destroy();
  });

  test("a globex agent naming acme's customer and host as fields (protocol 2 and 1) is refused with the line; acme's series is unchanged", async () => {
    const spoof = `mem,x=1 customer="acme",host="${acme.hostId}",used_pct=666 ${T}`;
    expect(await send(globex.agent, { lines: `mem used_pct=5 ${T}\n${spoof}` })).toMatchObject({
      type: 'error',
      code: 'bad-frame',
      message: expect.stringMatching(/^lines: line 2 is not valid line protocol \(customer and host are the collector's tag names/),
    });
    // The same inside a result's lines, and as tags.
    const result = { name: 'system.memory', checkId: 'system.memory', status: 'OK', summary: '', startedAt: T, durationMs: 1 };
    expect(await send(globex.agent, { results: [{ ...result, lines: `mem,host=${acme.hostId} used_pct=666 ${T}` }] })).toMatchObject({
      code: 'bad-frame',
      message: expect.stringMatching(/^results\.0\.lines: line 1 .*set by the collector/),
    });
    // Protocol 1 metric objects: as fields and as tags, each named by its index.
    const legacy = (m: Record<string, unknown>) => ({ metrics: [{ measurement: 'mem', tags: {}, fields: { used_pct: 1 }, time: T }, { measurement: 'mem', time: T, ...m }] });
    expect(await send(globex.agent, legacy({ tags: {}, fields: { customer: 'acme', host: acme.hostId, used_pct: 666 } }))).toMatchObject({
      code: 'bad-frame',
      message: expect.stringContaining('metrics.1.fields.customer: customer and host are set by the collector'),
    });
    expect(await send(globex.agent, legacy({ tags: { host: acme.hostId }, fields: { used_pct: 666 } }))).toMatchObject({ code: 'bad-frame', message: expect.stringContaining('metrics.1.tags.host') });
    // The availability points are the collector's too.
    expect(await send(globex.agent, { lines: `check,check=system.cpu status_code=2 ${T}` })).toMatchObject({ code: 'bad-frame', message: expect.stringContaining('written by the collector only') });

    expect(await acmeMemory()).toEqual([42]);
    expect(await collector.store.countPoints({ measurement: 'mem', field: 'used_pct', where: { host: globex.hostId }, from: 0, to: Date.now() })).toBe(0);
    collector.hub.refusals.flush();
    expect(listAgentRefusals(collector.db).get(globex.agentId)).toMatchObject({ badFrames: 5 });
    if (influx) {
      const keys = await influx.query('SHOW FIELD KEYS FROM "mem"', db);
      expect(keys.results[0]!.series![0]!.values.map((v) => v[0])).toEqual(['used_pct']);
    }
  });

  test('1e309, an integer past int64 and a time in 2300 are refused naming the line; nothing of those batches is stored', async () => {
    const year2300 = Date.UTC(2300, 0, 1);
    const cases: Array<[string, RegExp]> = [
      [`mem used_pct=1 ${T}\nmem used_pct=1e309 ${T + 1}`, /^lines: line 2 .*used_pct is too large for a 64-bit float/],
      [`mem used_pct=-1e309 ${T + 1}`, /^lines: line 1 .*too large/],
      [`mem used_pct=1 ${T}\nmem count=99999999999999999999i ${T + 1}`, /^lines: line 2 .*integer values/],
      [`mem used_pct=1 ${T}\nmem used_pct=1 ${year2300}`, /^lines: line 2 .*after 2262-04-11/],
    ];
    for (const [lines, message] of cases) expect(await send(globex.agent, { lines })).toMatchObject({ code: 'bad-frame', message: expect.stringMatching(message) });
    const result = { name: 'system.memory', checkId: 'system.memory', status: 'OK', summary: '', durationMs: 1 };
    expect(await send(globex.agent, { results: [{ ...result, startedAt: year2300 }] })).toMatchObject({ code: 'bad-frame', message: expect.stringContaining('results.0.startedAt') });
    expect(await send(globex.agent, { metrics: [{ measurement: 'mem', tags: {}, fields: { used_pct: 1 }, time: year2300 }] })).toMatchObject({ code: 'bad-frame', message: expect.stringContaining('metrics.0.time') });
    // JSON's 1e309 is Infinity once parsed: a duration cannot be one either.
    const text = JSON.stringify({ type: 'batch', seq: ++seq, results: [{ ...result, startedAt: T, durationMs: 1 }] }).replace('"durationMs":1', '"durationMs":1e309');
    globex.agent.sendRaw(text);
    expect(await globex.agent.next((f) => f.type === 'error' && f.seq === seq)).toMatchObject({ code: 'bad-frame', message: expect.stringContaining('results.0.durationMs') });
    expect(await collector.store.countPoints({ measurement: 'mem', field: 'used_pct', where: { host: globex.hostId }, from: 0, to: Date.now() })).toBe(0);
    // The agent is still served: a good batch right after is stored.
    expect(await send(globex.agent, { lines: `mem used_pct=7 ${T}` })).toMatchObject({ type: 'ack' });
    expect(await acmeMemory()).toEqual([42]);
  });

  test.runIf(storeKind === 'influxdb1')("queries name tags as tags: a host field already in InfluxDB (written before this check) never reaches acme's chart", async () => {
    // What the issue saw: points of globex with fields named customer/host, stored before the wire refused them.
    await collector.store.writeLines([`mem,customer=globex,host=${globex.hostId} customer="acme",host="${acme.hostId}",used_pct=666 ${T + 5}`]);
    expect(await acmeMemory()).toEqual([42]);
    const auth = { authorization: `Basic ${Buffer.from(`admin:${collector.adminPassword}`).toString('base64')}` };
    const res = await collector.app.request(`/api/hosts/${acme.hostId}/series?measurement=mem&field=used_pct&from=${T - 60_000}&to=${T + 60_000}&step=1&agg=max`, { headers: auth });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { series: Array<{ points: Array<{ value: number }> }> };
    expect(body.series.flatMap((s) => s.points.map((p) => p.value))).toEqual([42]);
  });

  test.runIf(storeKind === 'influxdb1')('a group write InfluxDB refuses for one batch fails only that batch: the other agent\'s batch in it is stored', async () => {
    // The group commit on its own (no field kind check in front): a field type conflict is a refusal the line
    // check cannot see. `probe.value` is a float from here on.
    const grouped = withGroupCommit(influx1MetricsStore({ url: influx!.url, database: db }));
    await grouped.writeLines([`probe,customer=acme,host=${acme.hostId} value=1 ${T}`]);
    // Both calls in one turn of the event loop: the group commit puts them in one request.
    const bad = grouped.writeLines([`probe,customer=globex,host=${globex.hostId} value="text" ${T + 1}`]).then(() => 'stored', (err: unknown) => err);
    const good = grouped.writeLines([`probe,customer=acme,host=${acme.hostId} value=2 ${T + 2}`, `mem,customer=acme,host=${acme.hostId} used_pct=43 ${T + 2}`]);
    await expect(good).resolves.toBeUndefined();
    expect(await bad).toBeInstanceOf(MetricsRejectedError);
    expect(await collector.store.countPoints({ measurement: 'mem', field: 'used_pct', where: { host: acme.hostId }, from: 0, to: Date.now() })).toBe(2);
    expect(await collector.store.countPoints({ measurement: 'probe', field: 'value', where: { host: acme.hostId }, from: 0, to: Date.now() })).toBe(2);
  });

  test.runIf(storeKind === 'influxdb1')("one agent cannot make a field of everyone's points unstorable by writing it with another kind", async () => {
    expect(await send(acme.agent, { lines: `probe value=3 ${T + 3}` })).toMatchObject({ type: 'ack' });
    // In a new shard this string would come first and every float after it would be refused for a week.
    expect(await send(globex.agent, { lines: `probe value=4 ${T + 3}\nprobe value="text" ${T + 4}` })).toMatchObject({
      code: 'bad-frame',
      message: expect.stringMatching(/^batch \d+ not stored: field value of probe is stored as float values, this line has a string: "probe,customer=globex,host=[^"]+ value=\\"text\\" \d+"/),
    });
    expect(await send(acme.agent, { lines: `probe value=5 ${T + 5}` })).toMatchObject({ type: 'ack' });
    // The kinds outlive the collector process (a restart must not open the door).
    expect(collector.db.prepare("SELECT kind FROM metric_field_kinds WHERE measurement = 'probe' AND field = 'value'").get()).toEqual({ kind: 'float' });
  });
});
