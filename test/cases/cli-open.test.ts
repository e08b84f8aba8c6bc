import { afterAll, beforeAll, expect, test } from 'vitest';
import { Command } from 'commander';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { ticketsPlugin } from '../../collector/tickets/plugin.js';
import { registerTicketCommands } from '../../collector/tickets/cli/tickets-command.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createHost } from '../../collector/db/hosts.js';
import { createUser } from '../../collector/db/users.js';
import { findTicket, listEvents } from '../../collector/tickets/ticket-store.js';

let collector: TestCollector;

beforeAll(async () => {
  collector = await startTestCollector({}, { plugins: [ticketsPlugin] });
  const now = Date.now();
  ensureCustomer(collector.db, 'acme', 'ACME Bank', now);
  createHost(collector.db, { customerId: 'acme', name: 'core-sw', kind: 'agent', now });
  createUser(collector.db, { username: 'lin', password: 'pw-lin', role: 'engineer', serves: ['acme'], now });
  createUser(collector.db, { username: 'acme-it', password: 'pw-acme-it', role: 'customer', customerId: 'acme', now });
});
afterAll(async () => collector?.destroy());

async function patrol(user: string, ...argv: string[]) {
  let out = '';
  let err = '';
  const program = new Command('patrol').exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerTicketCommands(program, { out: (s) => (out += s), err: (s) => (err += s), env: { PATROL_URL: collector.url, PATROL_USER: user, PATROL_PASSWORD: `pw-${user}` } });
  try {
    await program.parseAsync(['node', 'patrol', 'tickets', ...argv]);
    return { out, err, exitCode: 0 };
  } catch (e) {
    return { out, err, exitCode: (e as { exitCode?: number }).exitCode ?? 99 };
  }
}

test('patrol tickets open records a hotline call; escalate, severity and rate steer and close the story', async () => {
  const r = await patrol('lin', 'open', '--customer', 'acme', '--channel', 'phone', '--caller', 'Wang Wu', '--phone', '+86 10 8888 0000', '--title', 'Branch office offline', '--description', 'All PCs in branch 12 lost the network at 09:40', '--host', 'core-sw', '--severity', 'P2', '--domain', 'network');
  expect(r.err).toBe('');
  expect(r.exitCode).toBe(0);
  const number = /^(INC-\d{4}-\d{6})\s+P2\s+open\s+L1\s+Branch office offline/.exec(r.out)?.[1];
  expect(number).toBeDefined();
  const t = findTicket(collector.db, number!, { now: Date.now() })!;
  expect(t).toMatchObject({ kind: 'manual', channel: 'phone', caller: { name: 'Wang Wu', phone: '+86 10 8888 0000' }, hostName: 'core-sw', domain: 'network' });

  expect((await patrol('lin', 'open', '--customer', 'acme', '--channel', 'fax', '--caller', 'x', '--title', 'y')).err).toContain('--channel: one of phone');
  const noHost = await patrol('lin', 'open', '--customer', 'acme', '--channel', 'phone', '--caller', 'x', '--title', 'y', '--severity', 'P3', '--host', 'nope');
  expect(noHost.exitCode).toBe(1);
  expect(noHost.err).toContain('400 hostId');

  expect((await patrol('lin', 'severity', number!, 'P1', 'whole', 'branch', 'down')).out).toMatch(/P1\s+open/);
  expect((await patrol('lin', 'escalate', number!, 'L3', 'carrier', 'line', 'needs', 'the', 'network', 'expert')).out).toMatch(/L3/);
  const kinds = listEvents(collector.db, t.id).map((e) => `${e.kind}:${e.message}`);
  expect(kinds).toContain('severity-changed:whole branch down');
  expect(kinds).toContain('escalated:carrier line needs the network expert');
  expect((await patrol('acme-it', 'rate', number!, '4')).err).toContain('409');
});
