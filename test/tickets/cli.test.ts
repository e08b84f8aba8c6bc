import { afterAll, beforeAll, expect, test } from 'vitest';
import { Command } from 'commander';
import { Hono } from 'hono';
import { serve, type ServerType } from '@hono/node-server';
import type { AppEnv } from '../../collector/http/context.js';
import { checkCredentials, visibleCustomerIds } from '../../collector/db/users.js';
import { ticketRoutes } from '../../collector/http/routes/tickets.js';
import { registerTicketCommands } from '../../collector/cli/tickets-command.js';
import { TicketStateEngine } from '../../collector/tickets/state-engine.js';
import { freePort } from '../helpers/ports.js';
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
