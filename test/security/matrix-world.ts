import { randomUUID } from 'node:crypto';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { httpLogin, currentQuarter } from '../dashboard/world.js';
import { DEFAULT_PLUGINS } from '../../collector/plugins.js';
import { remoteChecks, remoteChecksPlugin } from '../../collector/remote/plugin.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createUser } from '../../collector/db/users.js';
import { getHost } from '../../collector/db/hosts.js';
import { createEnrollmentToken, enrollAgent } from '../../collector/db/agents.js';
import { recordCheckResults } from '../../collector/db/check-states.js';
import { createRemoteHost } from '../../collector/remote/remote-hosts.js';
import { openTicket } from '../../collector/tickets/lifecycle.js';
import { createChannel } from '../../collector/notify/channels.js';
import { createTemplate } from '../../collector/assignment/template-store.js';
import { addMaintenance } from '../../collector/maintenance/window-store.js';
import { addShift } from '../../collector/oncall/rota-store.js';
import type { Db } from '../../collector/db/database.js';

export const ROLES = ['admin', 'engineerA', 'customerA', 'customerB'] as const;
export type Role = (typeof ROLES)[number];
export type Side = 'A' | 'B';

/** The customer whose objects count as "own" for a role (the admin sees both; A is as good as B for it). */
export const HOME: Record<Role, Side> = { admin: 'A', engineerA: 'A', customerA: 'A', customerB: 'B' };
export const otherSide = (s: Side): Side => (s === 'A' ? 'B' : 'A');

/** One customer's objects, one of each kind a route can name. */
export interface TenantObjects {
  customerId: string;
  customerName: string;
  agentHostId: string;
  agentId: string;
  sshHostId: string;
  ticketId: string;
  ticketNumber: string;
  reportId: string;
  findingId: string;
  channelId: string;
  templateId: string;
  tokenId: string;
  /** The enrollment token itself (lookup takes it in the body). */
  token: string;
  maintenanceId: string;
  shiftId: string;
  /** The customer user of this customer. */
  customerUserId: string;
  /** The engineer who serves this customer (engineerA for A; for B one who serves only B). */
  engineerId: string;
}

/** Objects made for one request each, for routes that remove or rewrite what they name. */
export interface FreshObjects {
  agent(side: Side): string;
  token(side: Side): string;
  maintenance(side: Side): string;
  channel(side: Side): string;
  template(side: Side): string;
  sshHost(side: Side): string;
  shift(side: Side): string;
  user(side: Side): string;
}

export interface Credentials {
  username: string;
  password: string;
}

export interface MatrixWorld {
  collector: TestCollector;
  url: string;
  db: Db;
  objects: Record<Side, TenantObjects>;
  sharedTemplateId: string;
  diskPct: Record<Side, number>;
  fresh: FreshObjects;
  credentials: Record<Role, Credentials>;
  /** Authorization header value for the API (HTTP Basic, as the CLI sends). */
  basic(role: Role): string;
  /** A dashboard session (cookie + CSRF token); `fresh` logs in anew (for /logout). */
  session(role: Role, fresh?: boolean): Promise<{ cookie: string; csrf: string }>;
  /**
   * Strings that belong to one customer only: every name made here carries `mk<side>-`, and the ids of its
   * objects (made now or later by `fresh`). A body seen by the other customer's people must hold none of them.
   */
  markers(side: Side): string[];
  /** A digest per table of what the collector stores (sessions and the login-failure count left out). */
  digest(): Map<string, string>;
  close(): Promise<void>;
}

/** A port nothing listens on: SSH hosts and webhooks pointed here fail at once, without leaving this machine. */
const CLOSED_PORT = 1;

/** Each customer's disk figure differs, so a chart shows whose points it drew. */
export const DISK_PCT: Record<Side, number> = { A: 96, B: 97.5 };

export const PASSWORDS: Record<Role, string> = {
  admin: 'matrix-admin-pass-1',
  engineerA: 'matrix-engineer-a-1',
  customerA: 'matrix-customer-a-1',
  customerB: 'matrix-customer-b-1',
};

/**
 * A collector with every plugin of collector/plugins.ts (so its route table is the production one) and two
 * customers, A and B, each with one object of every kind. The clock is frozen: the background ticks (SLA,
 * escalation, inspections) then change nothing between two requests, so a digest of the database before and
 * after a refused request shows whether it wrote anything.
 */
export async function startMatrixWorld(): Promise<MatrixWorld> {
  const t0 = Date.now();
  // PDF rendering takes seconds a request; the route's tenancy check comes before it, and Chromium has its own
  // tests. Without a browser the allowed requests answer 503 at once.
  const chromiumBefore = process.env.PATROL_CHROMIUM;
  process.env.PATROL_CHROMIUM = '/nonexistent/chromium-for-the-route-matrix';
  const now = () => t0;
  // The agentless poller would dial the SSH hosts made below every second; an hour keeps it quiet (run-now still works).
  const plugins = DEFAULT_PLUGINS.map((p) => (p === remoteChecks ? remoteChecksPlugin({ pollEveryMs: 3_600_000 }) : p));
  // Plain http on loopback, the helper's default (the matrix is about roles, not transport): TLS has its own tests.
  const collector = await startTestCollector({}, { plugins, now });
  const { db } = collector;
  const url = collector.url;
  let n = 0;
  const seq = () => String(++n).padStart(3, '0');
  const markerIds: Record<Side, string[]> = { A: [], B: [] };
  const mark = <T extends string>(side: Side, id: T): T => (markerIds[side].push(id), id);
  const name = (side: Side, what: string) => `mk${side}-${what}-${seq()}`;
  const customerId = (side: Side) => (side === 'A' ? 'tenant-a-acme' : 'tenant-b-globex');

  const admin = createUser(db, { username: 'matrix-admin', password: PASSWORDS.admin, role: 'admin', displayName: 'Matrix Admin', now: t0 });
  const ids = {} as Record<Side, TenantObjects>;

  const fresh: FreshObjects = {
    agent(side) {
      const { token } = createEnrollmentToken(db, customerId(side), t0);
      const r = enrollAgent(db, token, name(side, 'agent-host'), t0);
      if (!r.ok) throw new Error(r.reason);
      mark(side, r.hostId);
      return mark(side, r.agentId);
    },
    token(side) {
      return mark(side, createEnrollmentToken(db, customerId(side), t0, { note: name(side, 'token') }).record.id);
    },
    maintenance(side) {
      return mark(side, addMaintenance(db, { customerId: customerId(side), scope: 'customer', startsAt: t0 + 86_400_000, endsAt: t0 + 90_000_000, reason: name(side, 'window') }, admin.id, t0).id);
    },
    channel(side) {
      const ch = createChannel(db, { kind: 'webhook', name: name(side, 'channel'), customerId: customerId(side), config: { url: `http://127.0.0.1:${CLOSED_PORT}/hook` } }, t0);
      return mark(side, ch.id);
    },
    template(side) {
      const checks = [{ name: 'disk', checkId: 'system.disk', params: { warnPct: 80, critPct: 90 }, intervalSec: 60, timeoutSec: 30 }];
      return mark(side, createTemplate(db, { customerId: customerId(side), name: name(side, 'template'), description: '', checks, now: t0 }).id);
    },
    sshHost(side) {
      const { host } = createRemoteHost(db, {
        customerId: customerId(side),
        name: name(side, 'ssh-host'),
        access: { kind: 'ssh', address: '127.0.0.1', port: CLOSED_PORT, user: 'patrol', keyPath: '/nonexistent/matrix-key' },
        now: t0,
      });
      return mark(side, host.id);
    },
    shift(side) {
      return mark(side, addShift(db, { tier: 1, userId: ids[side].engineerId, customerId: customerId(side), startsAt: t0, endsAt: t0 + 86_400_000 }, t0).id);
    },
    user(side) {
      // These users never log in: the stored hash of another user spares a scrypt (about 0.1-0.5 s) per user.
      const id = randomUUID();
      db.prepare(
        `INSERT INTO users (id, username, password_hash, role, customer_id, display_name, created_at)
         SELECT ?, ?, password_hash, 'customer', ?, ?, ? FROM users WHERE id = ?`,
      ).run(id, name(side, 'user'), customerId(side), name(side, 'user-name'), t0, admin.id);
      return mark(side, id);
    },
  };

  const credentials: Record<Role, Credentials> = {
    admin: { username: 'matrix-admin', password: PASSWORDS.admin },
    engineerA: { username: 'matrix-engineer-a', password: PASSWORDS.engineerA },
    customerA: { username: 'matrix-customer-a', password: PASSWORDS.customerA },
    customerB: { username: 'matrix-customer-b', password: PASSWORDS.customerB },
  };

  for (const side of ['A', 'B'] as const) {
    const cid = customerId(side);
    ensureCustomer(db, cid, name(side, 'customer'), t0);
    const engineer =
      side === 'A'
        ? createUser(db, { username: credentials.engineerA.username, password: PASSWORDS.engineerA, role: 'engineer', displayName: name('A', 'engineer'), serves: [cid], now: t0 })
        : createUser(db, { username: 'matrix-engineer-b', password: 'matrix-engineer-b-1', role: 'engineer', displayName: name('B', 'engineer'), serves: [cid], now: t0 });
    const role: Role = side === 'A' ? 'customerA' : 'customerB';
    const customerUser = createUser(db, { username: credentials[role].username, password: PASSWORDS[role], role: 'customer', customerId: cid, displayName: name(side, 'customer-user'), now: t0 });
    mark(side, cid);
    mark(side, engineer.id);
    mark(side, customerUser.id);

    const agentId = fresh.agent(side);
    const agentHost = getHost(db, (db.prepare('SELECT host_id AS h FROM agents WHERE id = ?').get(agentId) as { h: string }).h)!;
    recordCheckResults(db, agentHost.id, cid, [
      { name: 'system.disk', checkId: 'system.disk', status: 'CRITICAL', summary: `disk full on ${agentHost.name}`, startedAt: t0 - 60_000, durationMs: 5 },
    ]);
    const ticket = openTicket(db, {
      host: agentHost,
      kind: 'check',
      checkName: 'system.disk',
      checkId: 'system.disk',
      status: 'CRITICAL',
      summary: `disk full on ${agentHost.name}`,
      severity: 'P2',
      flapping: false,
      now: t0,
    });
    mark(side, ticket.id);
    mark(side, ticket.number);
    const { token, record } = createEnrollmentToken(db, cid, t0, { note: name(side, 'token') });
    mark(side, record.id);
    ids[side] = {
      customerId: cid,
      customerName: name(side, 'customer'),
      agentHostId: agentHost.id,
      agentId,
      sshHostId: fresh.sshHost(side),
      ticketId: ticket.id,
      ticketNumber: ticket.number,
      reportId: '',
      findingId: '',
      channelId: fresh.channel(side),
      templateId: fresh.template(side),
      tokenId: record.id,
      token,
      maintenanceId: fresh.maintenance(side),
      shiftId: '',
      customerUserId: customerUser.id,
      engineerId: engineer.id,
    };
    ids[side].shiftId = fresh.shift(side);
  }
  // A company-wide template (no customer): every customer's hosts may run it.
  const checks = [{ name: 'load', checkId: 'system.load', params: {}, intervalSec: 60, timeoutSec: 30 }];
  const sharedTemplateId = createTemplate(db, { customerId: null, name: 'matrix-shared-template', description: '', checks, now: t0 }).id;

  const basic = (role: Role) => `Basic ${Buffer.from(`${credentials[role].username}:${credentials[role].password}`).toString('base64')}`;

  // One inspection report per customer, made and signed off through the API as the admin, as an engineer would.
  for (const side of ['A', 'B'] as const) {
    const o = ids[side];
    // A nearly full disk over the last two days: the report then has a finding to remark on. The newest point is a
    // second old: the report's quarter ends at t0 (exclusive), and in a quarter's first hour it is the only one in it.
    const tags = { customer: o.customerId, host: o.agentHostId, mount: '/' };
    await collector.store.write(Array.from({ length: 48 }, (_, i) => ({ measurement: 'disk', tags, fields: { used_pct: DISK_PCT[side] }, time: t0 - 1_000 - i * 3600_000 })));
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { authorization: basic('admin'), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const made = await post('/api/reports', { customerId: o.customerId, period: currentQuarter(t0), lang: 'en' });
    if (made.status !== 201) throw new Error(`report for ${side}: HTTP ${made.status} ${await made.text()}`);
    o.reportId = mark(side, ((await made.json()) as { id: string }).id);
    const full = (await (await fetch(`${url}/api/reports/${o.reportId}`, { headers: { authorization: basic('admin') } })).json()) as {
      report: { findings: Array<{ id: string }> };
    };
    o.findingId = full.report.findings[0]?.id ?? '';
    if (!o.findingId) throw new Error(`report for ${side} has no finding to remark on`);
    const signed = await post(`/api/reports/${o.reportId}/sign-off`, {});
    if (signed.status !== 200) throw new Error(`sign-off for ${side}: HTTP ${signed.status} ${await signed.text()}`);
  }

  const sessions = new Map<Role, { cookie: string; csrf: string }>();
  const session = async (role: Role, fresh = false) => {
    const known = sessions.get(role);
    if (known && !fresh) return known;
    const s = await httpLogin(url, credentials[role].username, credentials[role].password);
    if (!fresh) sessions.set(role, s);
    return s;
  };

  const excluded = /^(sessions|login_failures|sqlite_.*)$|audit/i;
  const tables = () =>
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name).filter((t) => !excluded.test(t));

  return {
    collector,
    url,
    db,
    objects: ids,
    sharedTemplateId,
    diskPct: DISK_PCT,
    fresh,
    credentials,
    basic,
    session,
    markers: (side) => [`mk${side}-`, ...markerIds[side]],
    digest() {
      const out = new Map<string, string>();
      for (const t of tables()) out.set(t, JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).raw().all()));
      return out;
    },
    async close() {
      await collector.destroy();
      if (chromiumBefore === undefined) delete process.env.PATROL_CHROMIUM;
      else process.env.PATROL_CHROMIUM = chromiumBefore;
    },
  };
}
