import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ensureCustomer } from '../../collector/db/customers.js';
import { remoteChecksPlugin } from '../../collector/remote/plugin.js';
import { InspectionAnswers, runInspection } from '../../collector/reports/inspection.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { startSshd, type RunningSshd } from '../helpers/sshd.js';
import { apiClient } from './api.js';

/** Issue 6: "asks every host of the customer for a fresh run of all assigned checks (agents and agentless)". */
let collector: TestCollector;
let sshd: RunningSshd;
const answers = new InspectionAnswers();
beforeAll(async () => {
  sshd = await startSshd();
  // The regular poll waits an hour, so whatever the inspection gets was run for it.
  collector = await startTestCollector({}, { plugins: [remoteChecksPlugin({ pollEveryMs: 3600_000 })], listeners: [answers] });
  ensureCustomer(collector.db, 'acme', 'ACME', Date.now());
});
afterAll(async () => {
  await collector?.destroy();
  await sshd?.stop();
});

test('an inspection gets a fresh run of every assigned check from a host without an agent', async () => {
  const admin = apiClient(collector.url, 'admin', collector.adminPassword!);
  const add = await admin('POST', '/api/hosts', { customerId: 'acme', name: 'legacy-db', kind: 'ssh', address: sshd.host, port: sshd.port, user: sshd.user, privateKey: readFileSync(sshd.keyPath, 'utf8') });
  expect(add.status).toBe(201);
  const hostId = add.json.host.id as string;

  // The same path the scheduled inspection takes: the collector routes run-now to the SSH poller.
  const record = await runInspection({
    db: collector.db,
    hub: { runNow: (h, r) => collector.runNow(h, r) },
    answers,
    customerId: 'acme',
    period: '2026Q4',
    now: Date.now,
    timeoutMs: 30_000,
  });
  const host = record.hosts.find((h) => h.hostId === hostId)!;
  expect(host).toMatchObject({ answered: true, reason: '' });
  const names = host.results.map((r) => r.name).sort();
  expect(names).toEqual(['ssh.reachable', 'system.cpu', 'system.disk', 'system.inventory', 'system.memory', 'system.network', 'system.uptime']);
  expect(host.results.find((r) => r.name === 'system.memory')!.status).not.toBe('UNKNOWN');
});
