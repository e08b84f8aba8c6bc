import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import Database from 'better-sqlite3';
import { startCollector, type Collector, type CollectorPlugin, type PluginFactory } from '../../collector/server.js';
import { loadCollectorConfig } from '../../collector/config.js';
import { ticketsPlugin } from '../../collector/tickets/plugin.js';
import { remoteChecks } from '../../collector/remote/plugin.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createUser } from '../../collector/db/users.js';
import { createEnrollmentToken, enrollAgent, listAgents } from '../../collector/db/agents.js';
import { HOST_RETIRED_NOTE, revokeAgent } from '../../collector/tickets/host-retirement.js';
import { getHost, listHosts } from '../../collector/db/hosts.js';
import { migrate } from '../../collector/db/migrate.js';
import { MIGRATIONS } from '../../collector/db/migrations/index.js';
import { listEvents, listTickets } from '../../collector/tickets/ticket-store.js';
import { RawAgent } from '../helpers/raw-agent.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * A host whose agent is uninstalled (`patrol deploy --uninstall` revokes its key) is decommissioned: nobody may
 * be paged for it afterwards, it leaves the host lists, and it can be deleted. A real collector with the ticket
 * engine on an injected clock; the "agent" speaks the wire protocol by hand.
 */
const MIN = 60_000;
const ENGINEER = { user: 'li', password: 'li-password-1' };
const ADMIN = { user: 'root-admin', password: 'root-admin-password-1' };

describe('retiring a host by revoking its agent', () => {
  const data = tempDir('retire-collector');
  let t = Date.UTC(2026, 2, 2, 2, 0, 0);
  const clock = () => t;
  let collector: Collector;
  let tickets: CollectorPlugin;
  const agents: RawAgent[] = [];
  // The ticket part of the collector, so the test can run its periodic work (the silence check) at any time.
  const capturedTickets: PluginFactory = (deps) => (tickets = ticketsPlugin(deps));

  async function call(method: string, path: string, body?: unknown, who = ENGINEER): Promise<{ status: number; json: Record<string, any> }> {
    const res = await fetch(`${collector.url}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${who.user}:${who.password}`).toString('base64')}`,
        ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  }
  const listedIds = async (query = '') => ((await call('GET', `/api/hosts${query}`)).json.hosts as Array<{ id: string }>).map((h) => h.id);

  /** Enroll a host and connect its agent: the collector has heard from it now. */
  async function connectedHost(name: string) {
    const e = enrollAgent(collector.db, createEnrollmentToken(collector.db, 'acme', t).token, name, t);
    if (!e.ok) throw new Error(e.reason);
    const agent = await RawAgent.connect(`ws://127.0.0.1:${collector.port}/agent`, e.agentKey);
    agents.push(agent);
    await agent.hello(e.agentId);
    return { ...e, agent };
  }

  beforeAll(async () => {
    collector = await startCollector({
      config: loadCollectorConfig(undefined, { port: 0, dataDir: data.path, tls: 'off' }),
      now: clock,
      plugins: [capturedTickets, remoteChecks],
    });
    ensureCustomer(collector.db, 'acme', 'ACME Bank', t);
    createUser(collector.db, { username: ENGINEER.user, password: ENGINEER.password, role: 'engineer', serves: ['acme'], now: t });
    createUser(collector.db, { username: ADMIN.user, password: ADMIN.password, role: 'admin', now: t });
  });

  afterAll(async () => {
    for (const a of agents) a.close();
    await collector?.close();
    data.remove();
  });

  test('a revoked agent\'s host never gets a host-unreachable ticket, leaves /api/hosts, and can be deleted', async () => {
    const h = await connectedHost('old-db01');
    expect(await listedIds()).toContain(h.hostId);

    const revoked = await call('POST', `/api/agents/${h.agentId}/revoke`, {});
    expect(revoked).toEqual({ status: 200, json: { revoked: true, hostId: h.hostId, hostRetired: true, ticketsResolved: [] } });
    expect(await h.agent.closed()).toBeGreaterThan(0); // its connection is dropped

    // Far past the silence time (3 x 60 s) and the start-up grace: the silence check skips the retired host.
    t += 24 * 60 * MIN;
    await tickets.tick!(t);
    expect(listTickets(collector.db, { hostId: h.hostId, now: t })).toEqual([]);

    expect(await listedIds()).not.toContain(h.hostId);
    expect(listHosts(collector.db).map((x) => x.id)).not.toContain(h.hostId);
    // Still there for history: by id, and in the list when asked for.
    expect(await listedIds('?retired=include')).toContain(h.hostId);
    expect((await call('GET', `/api/hosts/${h.hostId}`)).json.host).toMatchObject({ id: h.hostId, retiredAt: t - 24 * 60 * MIN, connected: false });

    expect(await call('DELETE', `/api/hosts/${h.hostId}`)).toEqual({ status: 200, json: { removed: true } });
    expect(getHost(collector.db, h.hostId)).toBeUndefined();
    expect(listAgents(collector.db).find((a) => a.id === h.agentId)).toBeUndefined();
    expect((await call('GET', `/api/hosts/${h.hostId}`)).status).toBe(404);

    // The same machine enrolled again later is a new host, monitored as any other.
    const back = await connectedHost('old-db01');
    expect(back.hostId).not.toBe(h.hostId);
    expect(await listedIds()).toContain(back.hostId);
  });

  test('an open ticket of the host is resolved by the system with "host retired", its queued message dropped; the host record stays for it', async () => {
    const h = await connectedHost('old-app01');
    // The agent is stopped for the decommissioning, the silence check opens a ticket for the host...
    h.agent.close();
    await h.agent.closed();
    t += 10 * MIN;
    await tickets.tick!(t);
    const [opened] = listTickets(collector.db, { hostId: h.hostId, now: t });
    expect(opened).toMatchObject({ kind: 'host-unreachable', state: 'open' });
    // Stands for the 60 s coalescing window: the problem message is still waiting to go out.
    collector.db.prepare("UPDATE notification_outbox SET state = 'queued' WHERE ticket_id = ?").run(opened!.id);

    // ...then it is uninstalled.
    t += MIN;
    const revoked = await call('POST', `/api/agents/${h.agentId}/revoke`, {});
    expect(revoked.json).toMatchObject({ revoked: true, ticketsResolved: [opened!.number] });
    const [resolved] = listTickets(collector.db, { hostId: h.hostId, now: t });
    expect(resolved).toMatchObject({ id: opened!.id, state: 'resolved', resolvedAt: t, nextEscalationAt: null, hostName: 'old-app01' });
    const events = listEvents(collector.db, opened!.id).slice(-2);
    expect(events.map((e) => [e.kind, e.actorId, e.actorName, e.message])).toEqual([
      ['comment', null, 'system', HOST_RETIRED_NOTE],
      ['resolved', null, 'system', 'host retired'],
    ]);
    expect(collector.db.prepare("SELECT state FROM notification_outbox WHERE ticket_id = ? AND kind = 'problem'").all(opened!.id)).toEqual([{ state: 'cancelled' }]);

    // Nothing reopens or opens later.
    t += 24 * 60 * MIN;
    await tickets.tick!(t);
    expect(listTickets(collector.db, { hostId: h.hostId, now: t }).map((x) => x.state)).toEqual(['resolved']);

    // Its ticket is history the reports need: the host stays, listed nowhere.
    const del = await call('DELETE', `/api/hosts/${h.hostId}`);
    expect(del.status).toBe(409);
    expect(del.json.error).toBe('the host is retired and listed nowhere; its record stays because the reports of the time it was monitored need its history (1 ticket)');
    expect(await listedIds()).not.toContain(h.hostId);
  });

  test('a host whose agent is not revoked cannot be deleted; an agentless host still is, by its own route', async () => {
    const h = await connectedHost('live-db01');
    const refused = await call('DELETE', `/api/hosts/${h.hostId}`);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatch(/^a host with an agent is removed by revoking its agent key first/);
    expect(getHost(collector.db, h.hostId)?.retiredAt).toBeNull();

    // Agentless access (address, key) is an admin's to set; the engineer serving the customer may remove the host.
    const ssh = await call('POST', '/api/hosts', { kind: 'ssh', customerId: 'acme', name: 'switch-room-pc', address: '127.0.0.1', user: 'ops', privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n' }, ADMIN);
    expect(ssh.status).toBe(201);
    expect(await call('DELETE', `/api/hosts/${ssh.json.host.id}`)).toEqual({ status: 200, json: { removed: true } });

    // The dashboard's revoke button calls the same function: it retires too.
    expect(revokeAgent(collector.db, h.agentId, t)).toBe(true);
    expect(getHost(collector.db, h.hostId)?.retiredAt).toBe(t);
  });
});

test('hosts whose every agent key was revoked before retirement existed are retired by the migration', () => {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  const [core, ...later] = [...MIGRATIONS].sort((a, b) => a.version - b.version);
  migrate(db, [core!]);
  db.exec(`
    INSERT INTO customers VALUES ('acme', 'ACME', 0);
    INSERT INTO hosts (id, customer_id, name, kind, connected, created_at) VALUES ('gone', 'acme', 'gone', 'agent', 1, 0), ('live', 'acme', 'live', 'agent', 1, 0), ('never', 'acme', 'never', 'agent', 0, 0);
    INSERT INTO agents (id, customer_id, host_id, key_hash, created_at, revoked_at) VALUES ('a1', 'acme', 'gone', 'h1', 0, 500), ('a2', 'acme', 'live', 'h2', 0, NULL);
  `);
  migrate(db, later);
  expect(db.prepare('SELECT id, retired_at AS retiredAt, connected FROM hosts ORDER BY id').all()).toEqual([
    { id: 'gone', retiredAt: 500, connected: 0 },
    { id: 'live', retiredAt: null, connected: 1 },
    { id: 'never', retiredAt: null, connected: 0 },
  ]);
  db.close();
});
