import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { createDashboardPlugin } from '../../collector/dashboard/plugin.js';
import { ticketsPlugin } from '../../collector/tickets/plugin.js';
import { reportsPlugin } from '../../collector/reports/plugin.js';
import { remoteChecksPlugin } from '../../collector/remote/plugin.js';
import { createHost, getHost, type Host } from '../../collector/db/hosts.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createUser } from '../../collector/db/users.js';
import { recordCheckResults } from '../../collector/db/check-states.js';
import { markRecovered, openTicket } from '../../collector/tickets/lifecycle.js';
import type { Ticket } from '../../collector/tickets/ticket-store.js';
import type { Status } from '../../shared/status.js';

export const XSS_NAME = '<img src=x onerror=alert(1)>';
export const PASSWORDS = { eng: 'engineer-pass-1', custA: 'customer-a-pass', custB: 'customer-b-pass' };

export interface DashboardWorld {
  collector: TestCollector;
  url: string;
  adminPassword: string;
  acmeHosts: Host[];
  betaHosts: Host[];
  /** The acme host with streamed CPU/memory/disk/network points. */
  chartHost: Host;
  xssHost: Host;
  openAcme: Ticket;
  recoveredAcme: Ticket;
  openBeta: Ticket;
}

function result(name: string, checkId: string, status: Status, summary: string, at: number) {
  return { name, checkId, status, summary, startedAt: at, durationMs: 5, metrics: [] };
}

/**
 * Two customers (acme, beta) with hosts, check states, tickets and an hour of metrics; an engineer who
 * serves acme; a customer user for each.
 */
export async function startDashboardWorld(opts: { liveHeartbeatMs?: number } = {}): Promise<DashboardWorld> {
  // The real tickets, reports and remote-checks parts (templates, assignment, agentless hosts API), so pages
  // and their APIs are checked together; the agentless poller waits an hour, so it never dials a test host.
  // The first start takes the admin password from the environment; put it back at once for other suites.
  const before = process.env.PATROL_ADMIN_PASSWORD;
  process.env.PATROL_ADMIN_PASSWORD = 'admin-pass-for-tests';
  const collector = await startTestCollector({}, { plugins: [ticketsPlugin, createDashboardPlugin(opts), reportsPlugin, remoteChecksPlugin({ pollEveryMs: 3_600_000 })] }).finally(() => {
    if (before === undefined) delete process.env.PATROL_ADMIN_PASSWORD;
    else process.env.PATROL_ADMIN_PASSWORD = before;
  });
  const { db } = collector;
  const now = Date.now();
  ensureCustomer(db, 'acme', 'ACME 制造', now);
  ensureCustomer(db, 'beta', 'Beta Bank', now);
  createUser(db, { username: 'eng', password: PASSWORDS.eng, role: 'engineer', displayName: 'Engineer Li', serves: ['acme'], now });
  createUser(db, { username: 'cust-a', password: PASSWORDS.custA, role: 'customer', customerId: 'acme', displayName: 'ACME Ops', now });
  createUser(db, { username: 'cust-b', password: PASSWORDS.custB, role: 'customer', customerId: 'beta', displayName: 'Beta Ops', now });

  const acmeHosts = ['web-1', 'web-2', 'db-1', XSS_NAME].map((name, i) =>
    createHost(db, { customerId: 'acme', name, kind: 'agent', tags: i < 2 ? ['web'] : ['db'], now }),
  );
  const betaHosts = ['core-sw', 'teller-1'].map((name) => createHost(db, { customerId: 'beta', name, kind: 'agent', tags: ['bank'], now }));
  const states: Status[] = ['OK', 'WARNING', 'CRITICAL', 'OK'];
  acmeHosts.forEach((h, i) => recordCheckResults(db, h.id, 'acme', [result('system.disk', 'system.disk', states[i]!, `disk on ${h.name}`, now - 60_000)]));
  betaHosts.forEach((h) => recordCheckResults(db, h.id, 'beta', [result('system.cpu', 'system.cpu', 'CRITICAL', `cpu on ${h.name}`, now - 60_000)]));

  const chartHost = acmeHosts[0]!;
  // One hour of points at one-minute spacing, written through the store as ingest would (customer/host tags).
  const tags = { customer: 'acme', host: chartHost.id };
  const points = [];
  for (let i = 0; i < 60; i++) {
    const time = now - (59 - i) * 60_000;
    points.push({ measurement: 'cpu', tags, fields: { usage_pct: 20 + 10 * Math.sin(i / 6) }, time });
    points.push({ measurement: 'mem', tags, fields: { used_pct: 55 + i / 10 }, time });
    points.push({ measurement: 'disk', tags: { ...tags, mount: '/' }, fields: { used_pct: 71 }, time });
    points.push({ measurement: 'net', tags: { ...tags, iface: 'eth0' }, fields: { rx_bytes_per_sec: 1000 + i * 10, tx_bytes_per_sec: 500 }, time });
  }
  await collector.store.write(points);

  const open = (host: Host, status: Status, check: string) =>
    openTicket(db, { host, kind: 'check', checkName: check, checkId: check, status: status as Exclude<Status, 'OK'>, summary: `${check} is ${status}`, severity: 'P2', flapping: false, now });
  const openAcme = open(acmeHosts[2]!, 'CRITICAL', 'system.disk');
  const recoveredAcme = markRecovered(db, open(acmeHosts[1]!, 'WARNING', 'system.disk'), now, 'disk back below 80%');
  const openBeta = open(betaHosts[0]!, 'CRITICAL', 'system.cpu');
  return {
    collector,
    url: collector.url,
    adminPassword: 'admin-pass-for-tests',
    acmeHosts: acmeHosts.map((h) => getHost(db, h.id)!),
    betaHosts,
    chartHost,
    xssHost: acmeHosts[3]!,
    openAcme,
    recoveredAcme,
    openBeta,
  };
}

/** A session over plain HTTP (no browser): the cookie and the page's CSRF token, for direct requests. */
export async function httpLogin(url: string, username: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const form = await fetch(`${url}/login`);
  const loginCookie = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password, _csrf: token }),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith('patrol_session='));
  if (res.status !== 303 || !session) throw new Error(`login as ${username} failed: HTTP ${res.status}`);
  const cookie = session.split(';')[0]!;
  const page = await (await fetch(`${url}/`, { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(page)?.[1];
  if (!csrf) throw new Error('no CSRF token on the overview page');
  return { cookie, csrf };
}

/** This quarter, e.g. 2026Q4, in +08:00 as the reports part counts periods. */
export function currentQuarter(now = Date.now()): string {
  const d = new Date(now + 8 * 3600_000);
  return `${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

/** Generate an inspection report through /api/reports as a logged-in engineer (session cookie + CSRF header), and sign it off. */
export async function generateReport(url: string, session: { cookie: string; csrf: string }, customerId: string): Promise<string> {
  const res = await fetch(`${url}/api/reports`, {
    method: 'POST',
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
    body: JSON.stringify({ customerId, period: currentQuarter(), lang: 'en' }),
  });
  if (res.status !== 201) throw new Error(`report generation: HTTP ${res.status} ${await res.text()}`);
  const id = ((await res.json()) as { id: string }).id;
  // Customers see a report only once an engineer signed it off: the stories here are about reading it.
  const signed = await fetch(`${url}/api/reports/${id}/sign-off`, {
    method: 'POST',
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
    body: '{}',
  });
  if (signed.status !== 200) throw new Error(`report sign-off: HTTP ${signed.status} ${await signed.text()}`);
  return id;
}
