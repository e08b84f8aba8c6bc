import { afterAll, beforeAll, expect, test } from 'vitest';
import { Command } from 'commander';
import { Hono } from 'hono';
import { serve, type ServerType } from '@hono/node-server';
import type { AppEnv } from '../../collector/http/context.js';
import { checkCredentials, visibleCustomerIds } from '../../collector/db/users.js';
import { ticketRoutes } from '../../collector/tickets/routes.js';
import { faultReportApiRoutes } from '../../collector/reports/fault-routes.js';
import { registerTicketCommands } from '../../collector/tickets/cli/tickets-command.js';
import { TicketStateEngine } from '../../collector/tickets/state-engine.js';
import { findTicket, getTicket } from '../../collector/tickets/ticket-store.js';
import { addMaintenance } from '../../collector/maintenance/window-store.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';
import { makeWorld, result, MIN, type World } from './world.js';

let world: World;
let server: ServerType;
let url: string;

beforeAll(async () => {
  world = makeWorld();
  const app = new Hono<AppEnv>();
  // Basic auth the way the lead's middleware does it: user from credentials, customer ids from the user.
  app.use('/api/*', async (c, next) => {
    const [scheme, encoded] = (c.req.header('authorization') ?? '').split(' ');
    const [user, password] = scheme === 'Basic' && encoded ? Buffer.from(encoded, 'base64').toString().split(':') : [];
    const u = user ? checkCredentials(world.db, user, password ?? '') : undefined;
    if (!u) return c.json({ error: 'unauthenticated' }, 401);
    c.set('user', u);
    c.set('customerIds', visibleCustomerIds(world.db, u));
    await next();
  });
  app.route('/api/tickets', ticketRoutes({ db: world.db, now: world.clock.now }));
  app.route('/api/tickets', faultReportApiRoutes({ db: world.db, now: world.clock.now }));
  const port = await freePort();
  server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
  url = `http://127.0.0.1:${port}`;
  const engine = new TicketStateEngine({ db: world.db, now: world.clock.now, reconnectGraceMs: 0 });
  for (let i = 0; i < 2; i++) {
    world.clock.advance(MIN);
    engine.onResults({ hostId: world.acmeHost.id, customerId: 'acme' }, [result('system.disk', 'CRITICAL', world.clock.now(), 'disk / 96%')], world.clock.now());
  }
});
afterAll(async () => {
  await new Promise<void>((r) => server?.close(() => r()));
  world?.db.close();
});

async function patrol(user: string, ...argv: string[]): Promise<{ out: string; err: string; exitCode: number }> {
  let out = '';
  let err = '';
  const program = new Command('patrol').exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerTicketCommands(program, { out: (s) => (out += s), err: (s) => (err += s), env: { PATROL_URL: url, PATROL_USER: user, PATROL_PASSWORD: `pw-${user}` } });
  try {
    await program.parseAsync(['node', 'patrol', 'tickets', ...argv]);
    return { out, err, exitCode: 0 };
  } catch (e) {
    return { out, err, exitCode: (e as { exitCode?: number }).exitCode ?? 99 };
  }
}

test('patrol tickets: list, ack, comment, resolve, confirm over the HTTP API with Basic auth', async () => {
  const list = await patrol('lin', 'list');
  expect(list.exitCode).toBe(0);
  expect(list.out).toMatch(/INC-2026-000001\s+P1\s+open\s+L1\s+acme\s+db01\s+system\.disk/);

  expect((await patrol('beta-it', 'list')).out).toBe('no tickets\n');
  const hidden = await patrol('beta-it', 'show', 'INC-2026-000001');
  expect(hidden.exitCode).toBe(1);
  expect(hidden.err).toContain('404');

  expect((await patrol('lin', 'ack', 'INC-2026-000001', '--note', 'on it')).out).toContain('acknowledged');
  expect((await patrol('acme-it', 'comment', 'INC-2026-000001', 'please', 'hurry')).exitCode).toBe(0);
  expect((await patrol('lin', 'resolve', 'INC-2026-000001')).out).toContain('resolved');
  const engineerConfirm = await patrol('lin', 'confirm', 'INC-2026-000001');
  expect(engineerConfirm.exitCode).toBe(1);
  expect(engineerConfirm.err).toContain('403');
  expect((await patrol('acme-it', 'confirm', 'INC-2026-000001')).out).toContain('closed');

  const show = await patrol('acme-it', 'show', 'INC-2026-000001');
  expect(show.out).toContain('please hurry');
  expect(show.out).toMatch(/LIN\s+acknowledged\s+on it/);
  const json = JSON.parse((await patrol('lin', '--json', 'list', '--state', 'closed')).out) as { tickets: Array<{ number: string }> };
  expect(json.tickets.map((t) => t.number)).toEqual(['INC-2026-000001']);

  const badPassword = await patrol('nobody', 'list');
  expect(badPassword.exitCode).toBe(1);
  expect(badPassword.err).toContain('401');
});

test('patrol tickets onsite: records the arrival (a first response too) and show tells met or missed', async () => {
  const engine = new TicketStateEngine({ db: world.db, now: world.clock.now, reconnectGraceMs: 0 });
  for (let i = 0; i < 2; i++) {
    world.clock.advance(MIN);
    engine.onResults({ hostId: world.acmeHost.id, customerId: 'acme' }, [result('system.memory', 'CRITICAL', world.clock.now(), 'memory 97%')], world.clock.now());
  }
  const opened = world.clock.now();
  world.clock.advance(90 * MIN); // P1 on-site target is 60 min: this arrival is late
  const arrival = new Date(opened + 75 * MIN).toISOString();

  expect((await patrol('acme-it', 'onsite', 'INC-2026-000002')).err).toContain('403');
  const bad = await patrol('lin', 'onsite', 'INC-2026-000002', '--at', 'soon');
  expect(bad.exitCode).toBe(1);
  expect(bad.err).toContain('not a time');
  const ok = await patrol('lin', 'onsite', 'INC-2026-000002', '--at', arrival, '--note', 'badge at reception');
  expect(ok.exitCode).toBe(0);
  expect(ok.out).toBe(`INC-2026-000002  on site ${arrival.slice(0, 16).replace('T', ' ')}Z  missed (due ${new Date(opened + 60 * MIN).toISOString().slice(0, 16).replace('T', ' ')}Z)  acknowledged\n`);
  const again = await patrol('lin', 'onsite', 'INC-2026-000002');
  expect(again.exitCode).toBe(1);
  expect(again.err).toContain('409');

  const show = await patrol('acme-it', 'show', 'INC-2026-000002');
  expect(show.out).toContain(`arrived ${arrival.slice(0, 16).replace('T', ' ')}Z (missed)`);
  expect(show.out).toMatch(/LIN\s+onsite\s+badge at reception/);
});

test('patrol tickets start, assign by username, set-report and report (Markdown to a file, HTML to stdout)', async () => {
  const engine = new TicketStateEngine({ db: world.db, now: world.clock.now, reconnectGraceMs: 0 });
  for (let i = 0; i < 2; i++) {
    world.clock.advance(MIN);
    engine.onResults({ hostId: world.acmeHost.id, customerId: 'acme' }, [result('system.load', 'CRITICAL', world.clock.now(), 'load 42')], world.clock.now());
  }
  const number = 'INC-2026-000003';

  const unknown = await patrol('lin', 'assign', number, 'bob');
  expect(unknown.exitCode).toBe(1);
  expect(unknown.err).toContain('no engineer or admin "bob" may take this ticket; choose one of: admin, lin, wang, zhao');
  expect((await patrol('acme-it', 'assign', number, 'lin')).err).toContain('403');
  const assigned = await patrol('lin', 'assign', number, 'wang');
  expect(assigned.exitCode).toBe(0);
  expect(assigned.out).toContain(`${number}  P1  open`);
  expect(getTicket(world.db, findTicket(world.db, number, { now: world.clock.now() })!.id, { now: world.clock.now() })!.assigneeId).toBe(world.users.l2.id);

  const started = await patrol('wang', 'start', number, '--note', 'looking at the load');
  expect(started.out).toContain(`${number}  P1  in_progress`);

  expect((await patrol('wang', 'set-report', number)).err).toContain('give --cause, --actions or --prevention');
  const set = await patrol('wang', 'set-report', number, '--cause', 'a runaway backup job', '--actions', 'killed it; moved it to 02:00', '--prevention', 'ionice for backups');
  expect(set.out).toBe(`${number}  report updated: cause, actions, prevention\n`);

  const dir = tempDir('cli-report');
  try {
    const file = join(dir.path, 'report.md');
    const md = await patrol('lin', 'report', number, '--format', 'md', '--lang', 'en', '--out', file);
    expect(md.exitCode).toBe(0);
    expect(md.out).toMatch(/^wrote .*report\.md \(\d+ bytes\)\n$/);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# Fault-handling report');
    expect(text).toContain(`- Case number: ${number}`);
    expect(text).toContain('a runaway backup job');
    expect(text).toContain('ionice for backups');
  } finally {
    dir.remove();
  }
  const html = await patrol('acme-it', 'report', number, '--format', 'html');
  expect(html.out).toContain('<html');
  expect(html.out).toContain('故障处理报告');
  expect((await patrol('lin', 'report', number, '--format', 'xls')).err).toContain('--format: md, html, pdf, docx, not xls');
  expect((await patrol('lin', 'report', number, '--pdf')).err).toContain('a PDF needs --out FILE');
  expect((await patrol('lin', 'report', number, '--docx')).err).toContain('a DOCX needs --out FILE');
  expect((await patrol('lin', 'report', number, '--pdf', '--docx', '--out', 'x')).err).toContain('--pdf or --docx, not both');
  expect((await patrol('beta-it', 'report', number)).err).toContain('404');
});

test('patrol tickets list starts with the maintenance windows in force that the user may see', async () => {
  const now = world.clock.now();
  addMaintenance(world.db, { customerId: 'acme', scope: 'host', hostId: world.acmeHost.id, startsAt: now - MIN, endsAt: now + 90 * MIN, reason: 'RAID rebuild' }, null, now);
  addMaintenance(world.db, { customerId: 'acme', scope: 'tag', tag: 'oracle', startsAt: now + 60 * MIN, endsAt: now + 120 * MIN }, null, now); // later: not shown
  const list = await patrol('lin', 'list');
  expect(list.out.split('\n')[0]).toBe(`maintenance now: host db01 until ${new Date(now + 90 * MIN).toISOString().slice(0, 16).replace('T', ' ')}Z (RAID rebuild)`);
  expect(list.out.split('\n')[1]).toMatch(/^NUMBER\s+SEV/);
  expect((await patrol('beta-it', 'list')).out).toBe('no tickets\n');
});
