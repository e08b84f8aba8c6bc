import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { Command } from 'commander';
import { startDashboardWorld, httpLogin, PASSWORDS, type DashboardWorld } from '../dashboard/world.js';
import { registerTicketCommands } from '../../collector/tickets/cli/tickets-command.js';
import { CollectorApi } from '../../deploy/collector-api.js';

const run = promisify(execFile);
let world: DashboardWorld;
let url: string;

beforeAll(async () => {
  world = await startDashboardWorld();
  url = world.url;
}, 60_000);
afterAll(async () => {
  await world?.collector.destroy();
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const admin = () => basic('admin', world.adminPassword);
const BROWSER = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120', accept: 'text/html,application/xhtml+xml' };

async function templateCount(): Promise<number> {
  const res = await fetch(`${url}/api/templates`, { headers: { authorization: admin() } });
  return ((await res.json()) as { templates: unknown[] }).templates.length;
}

describe('API writes are JSON only', () => {
  test('a text/plain or form body to a write route is 415 with a clear error, and nothing is created', async () => {
    const before = await templateCount();
    const template = JSON.stringify({ customerId: 'acme', name: 'sneaky', checks: [{ name: 'cpu', checkId: 'system.cpu' }] });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await fetch(`${url}/api/templates`, { method: 'POST', headers: { authorization: admin(), 'content-type': type }, body: template });
      expect(res.status, type).toBe(415);
      expect(((await res.json()) as { error: string }).error).toMatch(/Content-Type: application\/json/);
    }
    // fetch's own default for a string body is text/plain as well.
    expect((await fetch(`${url}/api/templates`, { method: 'POST', headers: { authorization: admin() }, body: template })).status).toBe(415);
    expect(await templateCount()).toBe(before);
    // The same body, said to be JSON, is taken (charset parameter allowed).
    const ok = await fetch(`${url}/api/templates`, {
      method: 'POST',
      headers: { authorization: admin(), 'content-type': 'application/json; charset=utf-8' },
      body: template,
    });
    expect(ok.status).toBe(201);
    expect(await templateCount()).toBe(before + 1);
  });

  test('a bodiless DELETE without the JSON content type is refused too, and the host stays', async () => {
    const host = world.betaHosts[1]!;
    const del = await fetch(`${url}/api/hosts/${host.id}`, { method: 'DELETE', headers: { authorization: admin() } });
    expect(del.status).toBe(415);
    const still = await fetch(`${url}/api/hosts/${host.id}`, { headers: { authorization: admin() } });
    expect(still.status).toBe(200);
  });

  test('a cross-site request is refused even with the JSON type and a live session (Sec-Fetch-Site)', async () => {
    const eng = await httpLogin(url, 'eng', PASSWORDS.eng);
    const res = await fetch(`${url}/api/tickets/${world.openAcme.number}/comment`, {
      method: 'POST',
      headers: { cookie: eng.cookie, 'x-csrf-token': eng.csrf, 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
      body: JSON.stringify({ text: 'from evil.example' }),
    });
    expect(res.status).toBe(403);
    const form = await fetch(`${url}/tickets/${world.openAcme.number}/comment`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: eng.cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ _csrf: eng.csrf, text: 'from evil.example' }),
    });
    expect(form.status).toBe(403);
    const ticket = await fetch(`${url}/api/tickets/${world.openAcme.number}`, { headers: { authorization: admin() } });
    expect(await ticket.text()).not.toContain('evil.example');
  });
});

describe('no Basic challenge unless the client tried Basic', () => {
  test('a browser without credentials gets 401 and no WWW-Authenticate (no login box, nothing cached)', async () => {
    const page = await fetch(`${url}/api/hosts`, { headers: BROWSER });
    expect(page.status).toBe(401);
    expect(page.headers.get('www-authenticate')).toBeNull();
    const write = await fetch(`${url}/api/templates`, { method: 'POST', headers: { ...BROWSER, 'content-type': 'application/json' }, body: '{}' });
    expect(write.status).toBe(401);
    expect(write.headers.get('www-authenticate')).toBeNull();
  });

  test('a client that sent a wrong Basic login is told the scheme', async () => {
    const res = await fetch(`${url}/api/hosts`, { headers: { authorization: basic('nobody-here', 'wrong') } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="patrol"/);
  });

  test('the CLIs send their credentials up front: patrol tickets and patrol deploy work without a challenge', async () => {
    let out = '';
    const program = new Command('patrol').exitOverride();
    registerTicketCommands(program, { out: (s) => (out += s), err: () => {}, env: { PATROL_URL: url, PATROL_USER: 'eng', PATROL_PASSWORD: PASSWORDS.eng } });
    await program.parseAsync(['node', 'patrol', 'tickets', 'comment', String(world.openAcme.number), 'checked', 'from', 'the', 'CLI']);
    expect(out).toContain(String(world.openAcme.number));
    const deployApi = new CollectorApi({ url, user: 'admin', password: world.adminPassword });
    expect((await deployApi.listHosts()).length).toBeGreaterThan(0);
    expect(await deployApi.createEnrollmentToken('acme', 'web-hardening test')).toMatch(/.{10,}/);
  });
});

describe('one body limit for every route', () => {
  const twoMiB = 'x'.repeat(2 * 1024 * 1024);

  test('2 MiB to /login is 413 before anything reads it', async () => {
    const res = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `username=admin&password=${twoMiB}`,
    });
    expect(res.status).toBe(413);
  });

  test('a chunked body (no Content-Length) over the limit is cut off too, on a page and on the API', async () => {
    const chunked = (size: number) =>
      new ReadableStream<Uint8Array>({
        start(ctl) {
          const chunk = new Uint8Array(64 * 1024).fill(120);
          for (let sent = 0; sent < size; sent += chunk.length) ctl.enqueue(chunk);
          ctl.close();
        },
      });
    const eng = await httpLogin(url, 'eng', PASSWORDS.eng);
    const page = await fetch(`${url}/tickets/${world.openAcme.number}/comment`, {
      method: 'POST',
      headers: { cookie: eng.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: chunked(512 * 1024),
      duplex: 'half',
    } as RequestInit);
    expect(page.status).toBe(413);
    const api = await fetch(`${url}/api/templates`, {
      method: 'POST',
      headers: { authorization: admin(), 'content-type': 'application/json' },
      body: chunked(2 * 1024 * 1024),
      duplex: 'half',
    } as RequestInit);
    expect(api.status).toBe(413);
    expect(((await api.json()) as { error: string }).error).toMatch(/1 MiB/);
  });
});

describe('login throttle: form and Basic share it, an admin unlocks it from the CLI', () => {
  async function formLogin(username: string, password: string): Promise<number> {
    const form = await fetch(`${url}/login`);
    const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const res = await fetch(`${url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password, _csrf: token }),
    });
    await res.arrayBuffer();
    return res.status;
  }

  test('10 bad logins, then the right password is 429 (form and Basic) until patrol-collector unlock-login runs', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push(await formLogin('cust-a', `guess-${i}`));
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429, 429, 429]);
    expect(await formLogin('cust-a', PASSWORDS.custA)).toBe(429);
    const viaBasic = await fetch(`${url}/api/me`, { headers: { authorization: basic('cust-a', PASSWORDS.custA) } });
    expect(viaBasic.status).toBe(429);
    expect(Number(viaBasic.headers.get('retry-after'))).toBeGreaterThan(0);

    // The real command, against the running collector's data folder.
    const cli = await run(process.execPath, [join(process.cwd(), 'bin/patrol-collector.js'), 'unlock-login', '--user', 'cust-a', '--data-dir', world.collector.dataDir], {
      env: { ...process.env, PATROL_LOG_LEVEL: 'silent' },
    });
    expect(cli.stdout).toMatch(/cust-a: \d+ failed logins forgotten/);
    expect(await formLogin('cust-a', PASSWORDS.custA)).toBe(303);
    expect((await fetch(`${url}/api/me`, { headers: { authorization: basic('cust-a', PASSWORDS.custA) } })).status).toBe(200);

    // The unlock is in the audit log, with the operating-system account that ran it.
    const audit = await fetch(`${url}/api/audit?action=cli`, { headers: { authorization: admin() } });
    const entries = ((await audit.json()) as { entries: Array<{ path: string; targetId: string; via: string; address: string }> }).entries;
    expect(entries[0]).toMatchObject({ path: 'unlock-login', targetId: 'cust-a', via: 'cli', address: 'local' });
  }, 30_000);
});
