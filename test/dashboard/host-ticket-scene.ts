import { recordHello, type Host } from '../../collector/db/hosts.js';
import { recordCheckResults } from '../../collector/db/check-states.js';
import { findUserByName, visibleCustomerIds } from '../../collector/db/users.js';
import { openTicket } from '../../collector/tickets/lifecycle.js';
import { resolve } from '../../collector/tickets/ticket-actions.js';
import type { Ticket } from '../../collector/tickets/ticket-store.js';
import type { DashboardWorld } from './world.js';

/** 23.5 GiB, as an agent's hello reports a 24 GB machine. */
export const MEMORY_BYTES = 25276203008;

export interface HostTicketScene {
  host: Host;
  /** Memory at 96.2% (critical at the default 95%), opened ten minutes ago. */
  memoryTicket: Ticket;
  /** A CPU ticket an engineer resolved twenty minutes ago: waiting for the customer. */
  resolvedTicket: Ticket;
}

/**
 * The dashboard world's chart host as an engineer finds it on a bad day: its facts, a memory check gone
 * critical with the memory chart climbing through the thresholds, and a resolved CPU ticket.
 */
export async function hostTicketScene(world: DashboardWorld): Promise<HostTicketScene> {
  const { db, store } = world.collector;
  const now = Date.now();
  // web-2: the world streams no figures for it, so its charts show this story alone.
  const host = world.acmeHosts[1]!;
  recordHello(db, host.id, { hostname: host.name, os: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-27-amd64', arch: 'x64', cpuCores: 8, memoryBytes: MEMORY_BYTES }, '0.1.0', now);
  const memory = { key: 'system.memory.used', values: { usedPct: 96.2, usedBytes: MEMORY_BYTES * 0.962, totalBytes: MEMORY_BYTES, swapPct: 3.1 } };
  recordCheckResults(db, host.id, 'acme', [
    { name: 'system.memory', checkId: 'system.memory', status: 'CRITICAL', summary: 'memory 96.2% used', message: memory, startedAt: now - 60_000, durationMs: 3 },
    { name: 'system.uptime', checkId: 'system.uptime', status: 'OK', summary: 'up 38 days', message: { key: 'system.uptime.up', values: { uptimeSec: 38 * 86400 + 420 } }, startedAt: now - 60_000, durationMs: 1 },
    { name: 'system.cpu', checkId: 'system.cpu', status: 'OK', summary: 'CPU 23% used', message: { key: 'system.cpu.usage', values: { usagePct: 23, load1: 0.4, load5: 0.5, load15: 0.6, cores: 8 } }, startedAt: now - 60_000, durationMs: 500 },
  ]);
  // An hour of figures at one-minute spacing: memory climbing through warn (90) and crit (95) in the last 20 minutes.
  const tags = { customer: 'acme', host: host.id };
  const points = [];
  for (let i = 0; i < 60; i++) {
    const time = now - (59 - i) * 60_000;
    const mem = i < 40 ? 62 + i * 0.3 : 74 + (i - 40) * 1.15;
    points.push({ measurement: 'cpu', tags, fields: { usage_pct: 30 + 12 * Math.sin(i / 7) + (i > 20 && i < 32 ? 40 : 0) }, time });
    points.push({ measurement: 'mem', tags, fields: { used_pct: Math.min(96.2, mem) }, time });
    points.push({ measurement: 'disk', tags: { ...tags, mount: '/' }, fields: { used_pct: 71.4 }, time });
    points.push({ measurement: 'disk', tags: { ...tags, mount: '/var' }, fields: { used_pct: 48 + i * 0.05 }, time });
    points.push({ measurement: 'net', tags: { ...tags, iface: 'eth0' }, fields: { rx_bytes_per_sec: 1_250_000 + 400_000 * Math.sin(i / 5), tx_bytes_per_sec: 310_000 + 90_000 * Math.cos(i / 6) }, time });
  }
  await store.write(points);
  const memoryTicket = openTicket(db, {
    host,
    kind: 'check',
    checkName: 'system.memory',
    checkId: 'system.memory',
    status: 'CRITICAL',
    summary: 'memory 96.2% used',
    summaryMessage: memory,
    severity: 'P2',
    flapping: false,
    now: now - 10 * 60_000,
  });
  const cpu = openTicket(db, {
    host,
    kind: 'check',
    checkName: 'system.cpu',
    checkId: 'system.cpu',
    status: 'WARNING',
    summary: 'CPU 88% used',
    summaryMessage: { key: 'system.cpu.usage', values: { usagePct: 88, load1: 7, load5: 6, load15: 5, cores: 8 } },
    severity: 'P3',
    flapping: false,
    now: now - 40 * 60_000,
  });
  const eng = findUserByName(db, 'eng')!;
  const solved = resolve({ db, user: eng, customerIds: visibleCustomerIds(db, eng), now: now - 20 * 60_000 }, cpu.id, 'stopped the runaway backup job');
  if (!solved.ok) throw new Error(`could not resolve the CPU ticket: ${solved.error}`);
  return { host, memoryTicket, resolvedTicket: solved.ticket };
}
