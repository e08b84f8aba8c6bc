import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import httpCheck from '../../../checks/network/http.js';
import { runCheck, testCheckContext } from '../../helpers/check-context.js';
import { ensureDebianPackage } from '../../helpers/system-packages.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir('http-check');
// Certificates are compared with the real date, so the check's clock is the real one here.
const realClock = { now: () => Date.now() };
const servers: Array<HttpServer | HttpsServer> = [];

function selfSigned(name: string, days: number): { key: Buffer; cert: Buffer } {
  const openssl = ensureDebianPackage('openssl', '/usr/bin/openssl');
  const key = join(dir.path, `${name}.key`);
  const cert = join(dir.path, `${name}.crt`);
  execFileSync(openssl, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', String(days), '-subj', '/CN=localhost'], { stdio: 'ignore' });
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
  if (req.url === '/health') res.end('{"status":"UP","db":"ok"}');
  else if (req.url === '/old') res.writeHead(301, { location: '/health' }).end();
  else res.writeHead(503).end('maintenance');
};

async function listen(s: HttpServer | HttpsServer): Promise<number> {
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as { port: number }).port;
}

let httpPort: number;
let shortCertPort: number;
let longCertPort: number;

beforeAll(async () => {
  httpPort = await listen(createHttpServer(handler));
  shortCertPort = await listen(createHttpsServer(selfSigned('short', 5), handler));
  longCertPort = await listen(createHttpsServer(selfSigned('long', 90), handler));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  dir.remove();
});

describe('network.http', () => {
  test('a healthy endpoint with the expected body is OK', async () => {
    const r = await runCheck(httpCheck, testCheckContext(), { url: `http://127.0.0.1:${httpPort}/health`, bodyRegex: '"status":"UP"' });
    expect(r.status).toBe('OK');
    expect(r.metrics![0]!.fields).toMatchObject({ up: 1, status_code: 200, body_bytes: 25 });
    expect(r.metrics![0]!.tags).toEqual({ url: `http://127.0.0.1:${httpPort}/health` });
  });

  test('a 503 or a body that does not match is CRITICAL; a redirect is accepted unless a status is asked for', async () => {
    const ctx = testCheckContext();
    const down = await runCheck(httpCheck, ctx, { url: `http://127.0.0.1:${httpPort}/` });
    expect(down.status).toBe('CRITICAL');
    expect(down.summary).toMatch(/^status 503 not expected/);
    const wrongBody = await runCheck(httpCheck, ctx, { url: `http://127.0.0.1:${httpPort}/health`, bodyRegex: '"db":"down"' });
    expect(wrongBody.status).toBe('CRITICAL');
    expect(wrongBody.summary).toContain('body does not match');
    expect((await runCheck(httpCheck, ctx, { url: `http://127.0.0.1:${httpPort}/old` })).status).toBe('OK');
    expect((await runCheck(httpCheck, ctx, { url: `http://127.0.0.1:${httpPort}/old`, expectStatus: [200] })).status).toBe('CRITICAL');
  });

  test('a certificate that expires in 5 days is WARNING with the default 14-day limit', async () => {
    const r = await runCheck(httpCheck, testCheckContext({ clock: realClock }), { url: `https://127.0.0.1:${shortCertPort}/health`, verifyTls: false });
    expect(r.status).toBe('WARNING');
    expect(r.summary).toMatch(/^certificate expires in 4 days: HTTP 200/);
    const days = r.metrics![0]!.fields.cert_days_left as number;
    expect(days).toBeGreaterThan(4.9);
    expect(days).toBeLessThanOrEqual(5);
  });

  test('a certificate with 90 days left is OK; the same one 88 days later is CRITICAL', async () => {
    const url = `https://127.0.0.1:${longCertPort}/health`;
    expect((await runCheck(httpCheck, testCheckContext({ clock: realClock }), { url, verifyTls: false })).status).toBe('OK');
    const later = { now: () => Date.now() + 88 * 86_400_000 };
    const r = await runCheck(httpCheck, testCheckContext({ clock: later }), { url, verifyTls: false });
    expect(r.status).toBe('CRITICAL');
  });

  test('an untrusted certificate is CRITICAL when verification is on', async () => {
    const r = await runCheck(httpCheck, testCheckContext(), { url: `https://127.0.0.1:${shortCertPort}/health` });
    expect(r.status).toBe('CRITICAL');
    expect(r.summary).toMatch(/TLS certificate not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
  });

  test('nothing listening: CRITICAL "connection refused"', async () => {
    const s = createHttpServer();
    const port = await listen(s);
    await new Promise<void>((r) => s.close(() => r()));
    servers.pop();
    const r = await runCheck(httpCheck, testCheckContext(), { url: `http://127.0.0.1:${port}/` });
    expect(r).toMatchObject({ status: 'CRITICAL', summary: `GET http://127.0.0.1:${port}/: connection refused` });
  });
});
