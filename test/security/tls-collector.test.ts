import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Agent } from '../../agent/agent.js';
import { checkCollectorUrl } from '../../agent/url-policy.js';
import { loadCollectorConfig } from '../../collector/config.js';
import { createCa, createServerCertificate } from '../../collector/tls/authority.js';
import { certificatePin, formatPin, splitEnrollmentToken } from '../../shared/tls-pin.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/ports.js';

/**
 * TLS by default (issue 11, item 4): the collector makes its own CA and server certificate, tokens carry the CA's
 * pin, the agent trusts exactly that CA, and plain ws:// is refused except to this machine.
 */

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const hostsNamed = (c: TestCollector, name: string) => (c.db.prepare('SELECT COUNT(*) AS n FROM hosts WHERE name = ?').get(name) as { n: number }).n;

/** An address of this machine that is not loopback (traffic to it stays on this machine), if it has one. */
function ownNonLoopbackIpv4(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

describe('a collector without PATROL_TLS_CERT', () => {
  let collector: TestCollector;
  const agents: Agent[] = [];
  const dirs: Array<{ remove(): void }> = [];
  const agentState = () => {
    const d = tempDir('tls-agent');
    dirs.push(d);
    return d.path;
  };

  beforeAll(async () => {
    collector = await startTestCollector({ tls: 'auto', tlsSan: ['patrol.example.com', '203.0.113.7'], batchIntervalSec: 0.5 });
  });
  afterAll(async () => {
    for (const a of agents) await a.stop();
    await collector?.destroy();
    for (const d of dirs) d.remove();
  });

  test('makes its CA and server certificate on first start (0600 in a 0700 folder) and reuses them on the next start', async () => {
    expect(collector.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
    const dir = join(collector.dataDir, 'tls');
    expect(mode(dir)).toBe('700');
    const files = ['ca.pem', 'ca.key', 'server.pem', 'server.key'];
    for (const f of files) expect(mode(join(dir, f)), f).toBe('600');

    const ca = new X509Certificate(readFileSync(join(dir, 'ca.pem')));
    const server = new X509Certificate(readFileSync(join(dir, 'server.pem')));
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.subjectAltName!.split(', ').sort()).toEqual(
      ['IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1', 'DNS:localhost', `DNS:${hostname()}`, 'DNS:patrol.example.com', 'IP Address:203.0.113.7'].sort(),
    );
    expect(collector.tls?.caPin).toBe(formatPin(certificatePin(ca.toString())));

    // A second start on the same data folder: same CA, same certificate, same key.
    const before = Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    const { startCollector } = await import('../../collector/server.js');
    await collector.close();
    const again = await startCollector({
      config: loadCollectorConfig(undefined, { port: collector.port, dataDir: collector.dataDir, tls: 'auto', tlsSan: ['patrol.example.com', '203.0.113.7'], batchIntervalSec: 0.5 }),
      plugins: [],
    });
    for (const f of files) expect(readFileSync(join(dir, f), 'utf8'), f).toBe(before[f]);
    expect(again.tls?.caPin).toBe(collector.tls?.caPin);
    Object.assign(collector, again, { close: again.close });
  });

  test('a new name in PATROL_TLS_SAN re-issues the server certificate under the same CA', async () => {
    const dir = join(collector.dataDir, 'tls');
    const caBefore = readFileSync(join(dir, 'ca.pem'), 'utf8');
    const serverBefore = readFileSync(join(dir, 'server.pem'), 'utf8');
    const { prepareTls } = await import('../../collector/tls/material.js');
    const m = prepareTls({ tls: 'auto', host: '127.0.0.1', dataDir: collector.dataDir, tlsSan: ['patrol.example.com', '203.0.113.7', 'collector.acme.example'] }, Date.now())!;
    expect(readFileSync(join(dir, 'ca.pem'), 'utf8')).toBe(caBefore);
    expect(m.certPem).not.toBe(serverBefore);
    expect(m.names).toContain('collector.acme.example');
    expect(new X509Certificate(m.certPem).verify(new X509Certificate(caBefore).publicKey)).toBe(true);
    // Put the original names back for the rest of this file.
    prepareTls({ tls: 'auto', host: '127.0.0.1', dataDir: collector.dataDir, tlsSan: ['patrol.example.com', '203.0.113.7'] }, Date.now());
  });

  test('an enrollment token carries the CA pin; GET /api/enroll/ca hands out the CA it names', async () => {
    const token = collector.token('acme');
    const { secret, pin } = splitEnrollmentToken(token);
    expect(secret).toMatch(/^pe_/);
    expect(pin && formatPin(pin)).toBe(collector.tls?.caPin);
    const { fetchPinnedCa } = await import('../../shared/tls-pin.js');
    const fetched = await fetchPinnedCa(collector.wsUrl, pin!);
    expect(formatPin(certificatePin(fetched.caPem))).toBe(collector.tls?.caPin);
  });

  test('an agent with a pinned token enrolls over https, streams over wss, and keeps the pin for later starts', async () => {
    const state = agentState();
    const agent = new Agent({ collectorUrl: collector.wsUrl, stateDir: state, enrollToken: collector.token('acme'), name: 'pinned-host' });
    agents.push(agent);
    await agent.start();
    const hostId = agent.credentials!.hostId;
    const stored = JSON.parse(readFileSync(join(state, 'collector-ca.json'), 'utf8')) as { pin: string; caPem: string };
    expect(stored.pin).toBe(collector.tls?.caPin);
    expect(mode(join(state, 'collector-ca.json'))).toBe('600');
    await waitFor(
      async () => (await collector.store.countPoints({ measurement: 'mem', field: 'used_pct', where: { host: hostId }, from: 0, to: Date.now() + 60_000 })) > 0,
      'memory figures over wss',
      20_000,
    );

    // Restarted without a token or CA file: it trusts the stored pin.
    await agent.stop();
    agents.splice(agents.indexOf(agent), 1);
    const restarted = new Agent({ collectorUrl: collector.wsUrl, stateDir: state, name: 'pinned-host' });
    agents.push(restarted);
    await restarted.start();
    await waitFor(() => restarted.connected, 'the restarted agent connected over wss', 15_000);
  });

  test('a token without a pin cannot enroll over wss to a collector the agent does not trust, and says what to give', async () => {
    const agent = new Agent({ collectorUrl: collector.wsUrl, stateDir: agentState(), enrollToken: splitEnrollmentToken(collector.token('acme')).secret, name: 'unpinned' });
    await expect(agent.start()).rejects.toThrow(/cannot reach the collector.*certificate.*CA pin.*--ca-pin or --ca-file/);
    expect(hostsNamed(collector, 'unpinned')).toBe(0);
  });

  describe('a machine in the middle with a CA of its own', () => {
    let impostor: HttpsServer;
    let impostorUrl: string;
    /** Every request the impostor saw: method, path and whether it carried an Authorization header. */
    const seen: Array<{ method: string; path: string; authorization: boolean; upgrade: boolean }> = [];

    beforeAll(async () => {
      const ca = createCa({ commonName: 'Impostor CA', now: Date.now() });
      const cert = createServerCertificate(ca, { names: ['127.0.0.1', 'localhost'], now: Date.now() });
      impostor = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
        seen.push({ method: req.method!, path: req.url!, authorization: Boolean(req.headers.authorization), upgrade: false });
        if (req.url === '/api/enroll/ca') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ caPem: ca.certPem }));
          return;
        }
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ agentId: 'a', agentKey: 'pa_stolen_stolen', hostId: 'h', customerId: 'acme' }));
      });
      impostor.on('upgrade', (req, socket) => {
        seen.push({ method: req.method!, path: req.url!, authorization: Boolean(req.headers.authorization), upgrade: true });
        socket.destroy();
      });
      await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
      impostorUrl = `wss://127.0.0.1:${(impostor.address() as AddressInfo).port}/agent`;
    });
    afterAll(async () => {
      impostor?.closeAllConnections();
      await new Promise((r) => impostor?.close(r));
    });

    test('enrollment refuses it with both pins named, and the token never reaches it', async () => {
      const state = agentState();
      const agent = new Agent({ collectorUrl: impostorUrl, stateDir: state, enrollToken: collector.token('acme'), name: 'mitm-enroll' });
      const err = await agent.start().then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(new RegExp(`presented a CA with pin sha256:[0-9a-f]{64}, but ${collector.tls!.caPin} was expected: refusing to connect`));
      expect(seen).toEqual([{ method: 'GET', path: '/api/enroll/ca', authorization: false, upgrade: false }]);
      expect(existsSync(join(state, 'credentials.json'))).toBe(false);
      expect(existsSync(join(state, 'collector-ca.json'))).toBe(false);
    });

    test('an enrolled agent sent to it never opens the WebSocket: its key stays home', async () => {
      seen.length = 0;
      const state = agentState();
      const real = new Agent({ collectorUrl: collector.wsUrl, stateDir: state, enrollToken: collector.token('acme'), name: 'mitm-enrolled' });
      await real.start();
      await real.stop();
      const redirected = new Agent({ collectorUrl: impostorUrl, stateDir: state, name: 'mitm-enrolled' });
      agents.push(redirected);
      await redirected.start();
      const link = (redirected as unknown as { link: { lastError: string } }).link;
      await waitFor(() => /certificate|self.signed|issuer/i.test(link.lastError), 'a TLS refusal', 10_000);
      expect(redirected.connected).toBe(false);
      expect(seen.filter((s) => s.upgrade || s.authorization)).toEqual([]);
    });
  });

  test('plain ws:// to another machine is refused without --insecure; loopback and --insecure are allowed', async () => {
    expect(() => checkCollectorUrl('ws://10.1.2.3:8080/agent')).toThrow(/refusing plain ws:\/\/ to 10\.1\.2\.3:8080: .*--insecure/);
    expect(() => checkCollectorUrl('ws://collector.example.com/agent')).toThrow(/refusing plain ws/);
    expect(() => checkCollectorUrl('ws://[fd00::5]:8080/agent')).toThrow(/refusing plain ws/);
    expect(() => checkCollectorUrl('http://127.0.0.1:8080/agent')).toThrow(/must start with wss:\/\//);
    for (const ok of ['ws://127.0.0.1:8080/agent', 'ws://localhost:8080/agent', 'ws://[::1]:8080/agent', 'wss://10.1.2.3:8080/agent']) {
      expect(checkCollectorUrl(ok).href).toBe(new URL(ok).href);
    }
    expect(checkCollectorUrl('ws://10.1.2.3:8080/agent', { insecure: true }).hostname).toBe('10.1.2.3');

    // The agent itself refuses before it sends anything (it never reaches the enrollment).
    const agent = new Agent({ collectorUrl: 'ws://10.1.2.3:8080/agent', stateDir: agentState(), enrollToken: collector.token('acme') });
    await expect(agent.start()).rejects.toThrow(/refusing plain ws:\/\/ to 10\.1\.2\.3:8080/);
  });

  test('the collector refuses PATROL_TLS=off anywhere but loopback', () => {
    expect(() => loadCollectorConfig(undefined, { host: '0.0.0.0', tls: 'off' })).toThrow(/PATROL_TLS=off is allowed only on loopback/);
    expect(loadCollectorConfig(undefined, { host: '127.0.0.1', tls: 'off' }).tls).toBe('off');
    expect(loadCollectorConfig(undefined, {}).tls).toBe('auto');
  });
});

describe('an address of this machine that is not loopback', () => {
  const address = ownNonLoopbackIpv4();
  test.runIf(address)('ws:// to it needs --insecure; with it the agent streams through the plain migration port', async () => {
    const collector = await startTestCollector({ host: address!, tls: 'auto', plainPort: 0, batchIntervalSec: 0.5 });
    const dirs = [tempDir('tls-insecure-a'), tempDir('tls-insecure-b')];
    try {
      expect(collector.plainPort).toBeGreaterThan(0);
      const plainUrl = `ws://${address}:${collector.plainPort}/agent`;
      const refused = new Agent({ collectorUrl: plainUrl, stateDir: dirs[0]!.path, name: 'no-insecure' });
      // Enrolled by the test (the plain port serves no enrollment), so only the URL policy can stop it.
      const enrolled = collector.enrollHost('acme', 'insecure-host');
      const { StateDir } = await import('../../agent/state-dir.js');
      for (const d of dirs) new StateDir(d.path).writeCredentials({ ...enrolled, customerId: 'acme', collectorUrl: plainUrl });
      await expect(refused.start()).rejects.toThrow(new RegExp(`refusing plain ws:// to ${address!.replace(/\./g, '\\.')}:`));

      const insecure = new Agent({ collectorUrl: plainUrl, stateDir: dirs[1]!.path, name: 'insecure-host', insecure: true });
      await insecure.start();
      try {
        await waitFor(
          async () => (await collector.store.countPoints({ measurement: 'mem', field: 'used_pct', where: { host: enrolled.hostId }, from: 0, to: Date.now() + 60_000 })) > 0,
          'figures over the plain port with --insecure',
          20_000,
        );
      } finally {
        await insecure.stop();
      }
      // The plain port serves agents only: no API, no enrollment in plain text.
      const res = await fetch(`http://${address}:${collector.plainPort}/api/enroll/ca`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: string }).error).toMatch(/serves only agents.*use wss:\/\//);
    } finally {
      await collector.destroy();
      for (const d of dirs) d.remove();
    }
  });
});

describe('the plain migration port (PATROL_PLAIN_PORT) faces the network', () => {
  test('a client that resets its connection while its upgrade is refused cannot stop the collector', async () => {
    // Node's http server drops its error handler from an upgrading socket: an unhandled ECONNRESET there ended the
    // collector's process, so any client reaching a plain port could stop it.
    const collector = await startTestCollector({ tls: 'auto', plainPort: 0 });
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      for (let i = 0; i < 30; i++) {
        await new Promise<void>((resolve) => {
          const socket = tcpConnect(collector.plainPort!, '127.0.0.1', () => {
            socket.write(
              'GET /agent HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
                'Sec-WebSocket-Version: 13\r\nAuthorization: Bearer pa_not_a_key_of_this_collector\r\n\r\n',
            );
            setImmediate(() => {
              socket.resetAndDestroy();
              resolve();
            });
          });
          socket.on('error', () => resolve());
        });
      }
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    try {
      expect(uncaught).toEqual([]);
      // Still serving: an upgrade with a bad key is refused as before.
      const res = await new Promise<string>((resolve, reject) => {
        const socket = tcpConnect(collector.plainPort!, '127.0.0.1', () =>
          socket.write('GET /agent HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'),
        );
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(res).toMatch(/^HTTP\/1\.1 401/);
    } finally {
      await collector.destroy();
    }
  });
});
