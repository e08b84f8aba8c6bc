import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { buildAgent, type AgentBuild } from '../../deploy/build-agent.js';
import { startCollector, type Collector } from '../../collector/server.js';
import { loadCollectorConfig } from '../../collector/config.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createUser } from '../../collector/db/users.js';
import { startSshd } from '../helpers/sshd.js';
import { ensureDebianPackage } from '../helpers/system-packages.js';
import { tempDir } from '../helpers/temp-dir.js';
import { agentConfigOf, agentProcesses, credentialsOf, patrolDeploy, resultRow, stopDeployHost, type DeployHost } from './deploy-run.js';

/**
 * A collector that serves https/wss itself with a certificate from the company's private CA (PATROL_TLS_CERT /
 * PATROL_TLS_KEY), as test/spine/tls.test.ts runs it: `patrol deploy --ca-file` gives every agent the CA and
 * trusts it for its own API calls.
 */
const API = { user: 'deployer', password: 'deployer-password-3' };

describe('patrol deploy to a collector with a private-CA certificate', () => {
  const certs = tempDir('deploy-tls-certs');
  const work = tempDir('deploy-tls');
  const collectorData = tempDir('deploy-tls-collector');
  const caCert = join(certs.path, 'ca.pem');
  let collector: Collector;
  let bundle: AgentBuild;
  let host: DeployHost;
  let inventory: string;

  const args = (...extra: string[]) => [
    '--inventory', inventory,
    '--collector', `wss://127.0.0.1:${collector.port}/agent`,
    '--known-hosts', join(work.path, 'known_hosts.json'),
    '--bundle', bundle.tarball,
    '--online-timeout', '30',
    ...extra,
  ];

  beforeAll(async () => {
    ensureDebianPackage('openssh-server', '/usr/sbin/sshd');
    ensureDebianPackage('cron', '/usr/bin/crontab');
    const openssl = ensureDebianPackage('openssl', '/usr/bin/openssl');
    const run = (...a: string[]) => execFileSync(openssl, a, { stdio: 'ignore', cwd: certs.path });
    // The company CA, and the collector's certificate signed by it (not self-signed: a real chain).
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Patrol Test CA', '-keyout', 'ca.key', '-out', 'ca.pem');
    run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'collector.key', '-out', 'collector.csr');
    writeFileSync(join(certs.path, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    run('x509', '-req', '-in', 'collector.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'collector.pem');

    bundle = await buildAgent({ version: '0.9.0-tls', outDir: join(work.path, 'dist') });
    collector = await startCollector({
      config: loadCollectorConfig(undefined, {
        port: 0,
        dataDir: collectorData.path,
        batchIntervalSec: 0.5,
        tlsCertFile: join(certs.path, 'collector.pem'),
        tlsKeyFile: join(certs.path, 'collector.key'),
      }),
      plugins: [],
    });
    ensureCustomer(collector.db, 'acme', 'ACME Bank', Date.now());
    createUser(collector.db, { username: API.user, password: API.password, role: 'engineer', serves: ['acme'], now: Date.now() });
    const sshd = await startSshd({ userPrefix: 'pt' });
    host = { name: 'acme-tls01', sshd, installDir: join(sshd.home, 'opt', 'patrol-agent') };
    inventory = join(work.path, 'hosts.yaml');
    writeFileSync(inventory, stringify({ hosts: [{ host: '127.0.0.1', port: sshd.port, user: sshd.user, key: sshd.keyPath, customer: 'acme', name: host.name, installDir: host.installDir }] }));
  });

  afterAll(async () => {
    if (host) await stopDeployHost(host);
    await collector?.close();
    collectorData.remove();
    work.remove();
    certs.remove();
  });

  test('without --ca-file deploy cannot trust the collector and says what to give; nothing is installed', async () => {
    expect(collector.url).toMatch(/^https:/);
    const r = await patrolDeploy(args(), API);
    expect(r.code).toBe(1);
    expect(resultRow(r.stdout, host.name)[5]).toMatch(
      new RegExp(`^cannot reach the collector API at https://127\\.0\\.0\\.1:${collector.port}: .*certificate.* \\(give --ca-pin with the pin .patrol-collector tls. prints, or --ca-file with the CA certificate that signed the collector's certificate\\)$`),
    );
    expect(existsSync(host.installDir)).toBe(false);
  });

  test('with --ca-file the agent gets the CA, enrolls over https and streams over wss; deploy checks it online through https', async () => {
    const r = await patrolDeploy(args('--ca-file', caCert), API);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(resultRow(r.stdout, host.name).slice(0, 4)).toEqual([host.name, 'ok', 'installed', '0.9.0-tls']);
    const onHost = join(host.installDir, 'ca.pem');
    expect(readFileSync(onHost, 'utf8')).toBe(readFileSync(caCert, 'utf8'));
    expect(host.sshd.runAsUser(`stat -c %a ${onHost}`).trim()).toBe('644');
    expect(agentConfigOf(host)).toMatchObject({ collector: `wss://127.0.0.1:${collector.port}/agent`, caFile: onHost });
    const hostId = credentialsOf(host)!.hostId;
    expect(collector.db.prepare('SELECT connected, agent_version AS version FROM hosts WHERE id = ?').get(hostId)).toEqual({ connected: 1, version: '0.9.0-tls' });

    const again = await patrolDeploy(args('--ca-file', caCert), API);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(resultRow(again.stdout, host.name)).toEqual([host.name, 'ok', 'unchanged', '0.9.0-tls', 'background']);
  });

  test('--uninstall over https revokes the key and removes the CA file with the rest', async () => {
    const agentId = credentialsOf(host)!.agentId;
    const r = await patrolDeploy(args('--uninstall', '--ca-file', caCert), API);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(resultRow(r.stdout, host.name)).toEqual([host.name, 'ok', 'uninstalled', '0.9.0-tls', 'background', `agent key ${agentId} revoked on the collector`]);
    expect(existsSync(host.installDir)).toBe(false);
    expect(agentProcesses(host)).toEqual([]);
  });
});
