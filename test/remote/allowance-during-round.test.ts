import { afterAll, beforeAll, expect, test } from 'vitest';
import { join } from 'node:path';
import { pino } from 'pino';
import { openDatabase, type Db } from '../../collector/db/database.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { sqliteMetricsStore } from '../../collector/metrics/sqlite-store.js';
import type { MetricsStore } from '../../collector/metrics/store.js';
import { RemotePoller } from '../../collector/remote/poller.js';
import { createRemoteHost, setRemoteAllowances } from '../../collector/remote/remote-hosts.js';
import type { CheckAssignment } from '../../shared/assignment.js';
import type { ReceivedResult } from '../../shared/protocol.js';
import { startSnmpd, type RunningSnmpd } from '../helpers/snmpd.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * An admin allows the collector's loopback for an SNMP device (a real snmpd) while the poller's round for it is
 * running, in the same millisecond as the round read the host's settings (the clock is held still). The round
 * still ran under the old settings, so its run must not count: the check runs again at the very next round, not
 * at its 60 s interval (check-state-store.ts lastRuns: only runs newer than the host's updated_at count).
 */
const SNMP_EVERY_MIN: CheckAssignment = { name: 'network.snmp', checkId: 'network.snmp', params: {}, intervalSec: 60, timeoutSec: 10 };
const T0 = Date.UTC(2026, 2, 2, 2, 0, 0);

let snmpd: RunningSnmpd;
let store: MetricsStore;
let db: Db;
let now = T0;
const dir = tempDir('allowance-during-round');

beforeAll(async () => {
  snmpd = await startSnmpd();
  store = sqliteMetricsStore({ path: join(dir.path, 'metrics.db'), retentionDays: 30, now: () => now });
  await store.init();
  db = openDatabase(join(dir.path, 'patrol.db'));
});
afterAll(async () => {
  await store?.close();
  db?.close();
  await snmpd?.stop();
  dir.remove();
});

test('an allowance given while a round runs makes the check due at the next round, not at its interval', async () => {
  ensureCustomer(db, 'acme', 'ACME', now);
  // By name, so the round asks the (injected) resolver: that is where the admin's change lands, mid-round.
  const { host } = createRemoteHost(db, { customerId: 'acme', name: 'core-switch', access: { kind: 'snmp', address: 'localhost', port: snmpd.port, community: snmpd.community }, now });
  let allowMidRound = false;
  const rounds: Array<Map<string, ReceivedResult>> = [];
  const poller = new RemotePoller({
    db,
    store,
    listeners: [{ onResults: (_h, results) => void rounds.push(new Map(results.map((r) => [r.name, r]))) }],
    assignments: { forHost: () => [SNMP_EVERY_MIN] },
    now: () => now,
    log: pino({ level: 'silent' }),
    knownHostsFile: join(dir.path, 'known_hosts.json'),
    lookup: async () => {
      if (allowMidRound) {
        allowMidRound = false;
        setRemoteAllowances(db, host.id, { allowLocalAddresses: true }, now);
      }
      return ['127.0.0.1'];
    },
  });
  try {
    now += 1000;
    allowMidRound = true;
    await poller.tick();
    expect(allowMidRound, 'the round judged the target (and the admin changed the allowance meanwhile)').toBe(false);
    expect(rounds.at(-1)?.get('network.snmp')?.message?.key).toBe('target.refused.local');

    now += 1000; // a second later, far inside the 60 s interval
    await poller.tick();
    expect(rounds).toHaveLength(2);
    expect(rounds[1]!.get('network.snmp')?.status).toBe('OK');

    now += 1000; // and from then on the interval holds again
    await poller.tick();
    expect(rounds).toHaveLength(2);
  } finally {
    await poller.close();
  }
});
