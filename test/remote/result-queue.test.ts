import { afterAll, beforeAll, expect, test } from 'vitest';
import { join } from 'node:path';
import { pino } from 'pino';
import { openDatabase, type Db } from '../../collector/db/database.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { influx1MetricsStore } from '../../collector/metrics/influx1-store.js';
import type { MetricsStore } from '../../collector/metrics/store.js';
import { RemotePoller } from '../../collector/remote/poller.js';
import { createRemoteHost, setRemoteAllowances } from '../../collector/remote/remote-hosts.js';
import type { CheckAssignment } from '../../shared/assignment.js';
import { startInfluxDb, type RunningInfluxDb } from '../helpers/influxdb.js';
import { startSnmpd, type RunningSnmpd } from '../helpers/snmpd.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The metrics store (a real InfluxDB 1.x) goes away while the collector polls an SNMP device (a real snmpd):
 * the poller's rounds wait in its SQLite queue, the oldest dropped past the limit with the loss counted and
 * logged, and once InfluxDB is back they are stored, in order, through ingestBatch.
 */
const SNMP_EVERY_MIN: CheckAssignment = { name: 'network.snmp', checkId: 'network.snmp', params: {}, intervalSec: 60, timeoutSec: 10 };
const T0 = Date.UTC(2026, 2, 2, 2, 0, 0);
const MIN = 60_000;

let influx: RunningInfluxDb;
let snmpd: RunningSnmpd;
let store: MetricsStore;
let db: Db;
const dir = tempDir('result-queue');

beforeAll(async () => {
  [influx, snmpd] = await Promise.all([startInfluxDb(), startSnmpd()]);
  store = influx1MetricsStore({ url: influx.url, database: 'patrol_queue_test' });
  await store.init();
  db = openDatabase(join(dir.path, 'patrol.db'));
});
afterAll(async () => {
  await store?.close();
  db?.close();
  await Promise.all([influx?.destroy(), snmpd?.stop()]);
  dir.remove();
});

test('rounds taken while InfluxDB is down are queued (the oldest dropped past the limit, counted and logged) and stored once it is back', async () => {
  let now = T0;
  ensureCustomer(db, 'acme', 'ACME', now);
  const { host } = createRemoteHost(db, {
    customerId: 'acme',
    name: 'core-switch',
    access: { kind: 'snmp', address: snmpd.host, port: snmpd.port, community: snmpd.community },
    now,
  });
  // The test's snmpd listens on loopback: an admin's allowance lets the collector's SNMP check reach it.
  setRemoteAllowances(db, host.id, { allowLocalAddresses: true }, now);
  const logged: Array<{ msg: string; droppedRounds?: number; droppedResults?: number }> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line) as (typeof logged)[number]) });
  const seen: number[] = []; // what the ticket engine would see, in order
  const poller = new RemotePoller({
    db,
    store,
    // One entry per round the listeners got (a round's results share its start time).
    listeners: [{ onResults: (_h, results) => void seen.push(...new Set(results.map((r) => r.startedAt))) }],
    assignments: { forHost: () => [SNMP_EVERY_MIN] },
    now: () => now,
    log,
    knownHostsFile: join(dir.path, 'known_hosts.json'),
    maxQueuedRounds: 3,
  });
  // Each round is two results: snmp.reachable (the poller's own) and network.snmp.
  const stored = (t: number) => store.countPoints({ measurement: 'check', field: 'status_code', where: { host: host.id }, from: t, to: t + 1 });
  const storedInterfaces = (t: number) => store.countPoints({ measurement: 'snmp_interface', field: 'in_octets', where: { host: host.id }, from: t, to: t + 1 });
  try {
    const rounds = [T0, T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN, T0 + 4 * MIN, T0 + 5 * MIN];
    now = rounds[0]!;
    await poller.tick();
    expect(await stored(rounds[0]!)).toBe(2);

    await influx.stop();
    for (const t of rounds.slice(1, 5)) {
      now = t;
      await poller.tick();
    }
    // Four rounds while down, room for three: the oldest of them went, and that was said.
    expect(poller.queueStats()).toMatchObject({ queuedRounds: 3, queuedResults: 6, droppedRounds: 1, droppedResults: 2, rejectedRounds: 0 });
    expect(logged.filter((l) => l.msg === 'remote result queue full: oldest rounds dropped and lost')).toMatchObject([{ droppedRounds: 1, droppedResults: 2 }]);
    expect(seen).toEqual([rounds[0]]);

    await influx.start();
    now = rounds[5]!;
    await poller.tick();
    expect(poller.queueStats()).toMatchObject({ queuedRounds: 0, droppedRounds: 1 });
    // Queued rounds first, then the live one: states and tickets see them in the order they were taken.
    expect(seen).toEqual([rounds[0], rounds[2], rounds[3], rounds[4], rounds[5]]);
    for (const t of [rounds[0]!, ...rounds.slice(2)]) {
      expect(await stored(t), `round at +${(t - T0) / MIN} min`).toBe(2);
      expect(await storedInterfaces(t)).toBeGreaterThan(0);
    }
    expect(await stored(rounds[1]!)).toBe(0); // the dropped one
    expect(await store.countPoints({ measurement: 'check', field: 'status_code', where: { host: host.id }, from: T0, to: T0 + 10 * MIN })).toBe(10);
  } finally {
    await poller.close();
  }
});
