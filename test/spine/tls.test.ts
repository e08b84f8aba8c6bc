import { afterAll, beforeAll, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Agent } from '../../agent/agent.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { ensureDebianPackage } from '../helpers/system-packages.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/ports.js';
import { splitEnrollmentToken } from '../../shared/tls-pin.js';

/** A collector serving https/wss itself with a private certificate, and agents that trust it by --ca-file. */
const certs = tempDir('tls');
const cert = join(certs.path, 'collector.pem');
const key = join(certs.path, 'collector.key');
let collector: TestCollector;
const agents: Agent[] = [];
beforeAll(async () => {
  const openssl = ensureDebianPackage('openssl', '/usr/bin/openssl');
  execFileSync(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  collector = await startTestCollector({ tlsCertFile: cert, tlsKeyFile: key, batchIntervalSec: 0.5 });
});
afterAll(async () => {
  for (const a of agents) await a.stop();
  await collector?.destroy();
  certs.remove();
});

test('an agent given the CA enrolls over https and streams over wss', async () => {
  expect(collector.url).toMatch(/^https:/);
  const state = tempDir('tls-agent');
  const agent = new Agent({ collectorUrl: `wss://127.0.0.1:${collector.port}/agent`, stateDir: state.path, enrollToken: collector.token('acme'), caFile: cert, name: 'tls-host' });
  agents.push(agent);
  await agent.start();
  const hostId = agent.credentials!.hostId;
  await waitFor(
    async () => (await collector.store.countPoints({ measurement: 'mem', field: 'used_pct', where: { host: hostId }, from: 0, to: Date.now() + 60_000 })) > 0,
    'memory figures over wss',
    20_000,
  );
});

test('an agent that does not trust the certificate is refused with a clear reason, and nothing is enrolled', async () => {
  const state = tempDir('tls-untrusting');
  // A token without the pin (the collector pins a self-signed certificate: test/security/tls-collector.test.ts).
  const enrollToken = splitEnrollmentToken(collector.token('acme')).secret;
  const agent = new Agent({ collectorUrl: `wss://127.0.0.1:${collector.port}/agent`, stateDir: state.path, enrollToken, name: 'no-ca' });
  await expect(agent.start()).rejects.toThrow(/cannot reach the collector.*(self-signed|certificate)/);
  expect(collector.db.prepare("SELECT COUNT(*) AS n FROM hosts WHERE name = 'no-ca'").get()).toEqual({ n: 0 });
  state.remove();
});
