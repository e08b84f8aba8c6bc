import type { Metric } from '../../shared/metric.js';
import type { CheckResult } from '../../shared/check-result.js';
import type { Db } from '../../collector/db/database.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createHost, type Host } from '../../collector/db/hosts.js';
import { recordCheckResults } from '../../collector/db/check-states.js';
import type { MetricsStore } from '../../collector/metrics/store.js';
import { insertTicket, updateTicket } from '../../collector/tickets/ticket-store.js';
import { createInventoryTracker } from '../../collector/inventory/inventory-tracker.js';
import type { InventoryFacts } from '../../shared/inventory.js';

/**
 * A quarter (2026Q3) of known data for one host of customer "acme", with figures that can be worked out
 * by hand. Samples start at 2026-07-01 00:00 UTC and run 91 whole UTC days, so the store's 1-day buckets
 * (aligned on UTC midnight in both InfluxDB and the embedded store) hold whole days only.
 */
export const PERIOD = '2026Q3';
export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const SAMPLE_START = Date.UTC(2026, 6, 1);
export const DAYS = 91;
export const GIB = 1024 ** 3;
/** Report generated after the quarter ended (2026-10-05). */
export const NOW = Date.UTC(2026, 9, 5, 4);

export interface Seeded {
  host: Host;
}

/** cpu.usage_pct at hour h: 10 + (h mod 24), so each of 10..33 appears once a day. */
export const cpuAt = (h: number) => 10 + (h % 24);
/** Disk used_pct per UTC day d: '/' 50 + 0.2d, '/data' 40 + 0.4d (constant within the day). */
export const rootPct = (d: number) => 50 + 0.2 * d;
export const dataPct = (d: number) => 40 + 0.4 * d;
/** Hours with a reboot seen. */
export const REBOOT_HOURS = [100, 900, 1500];
/** The one memory spike: hour 500 at 95%, every other hour 60%. */
export const MEM_SPIKE_HOUR = 500;

export function seedMetrics(customer: string, hostId: string): Metric[] {
  const owner = { customer, host: hostId };
  const points: Metric[] = [];
  for (let h = 0; h < DAYS * 24; h++) {
    const time = SAMPLE_START + h * HOUR;
    const d = Math.floor(h / 24);
    points.push({ measurement: 'cpu', tags: { ...owner, check: 'system.cpu' }, fields: { usage_pct: cpuAt(h), load1: 0.5 }, time });
    points.push({ measurement: 'mem', tags: { ...owner, check: 'system.memory' }, fields: { used_pct: h === MEM_SPIKE_HOUR ? 95 : 60, swap_used_pct: 0 }, time });
    for (const [mount, pct] of [['/', rootPct(d)], ['/data', dataPct(d)]] as const) {
      points.push({
        measurement: 'disk',
        tags: { ...owner, check: 'system.disk', mount },
        fields: { used_pct: pct, used_bytes: (pct / 100) * 100 * GIB, total_bytes: 100 * GIB, free_bytes: (1 - pct / 100) * 100 * GIB },
        time,
      });
    }
    points.push({ measurement: 'net', tags: { ...owner, check: 'system.network', iface: 'eth0' }, fields: { errors_per_sec: 0 }, time });
    points.push({ measurement: 'system', tags: { ...owner, check: 'system.uptime' }, fields: { rebooted: REBOOT_HOURS.includes(h) ? 1 : 0, uptime_sec: 1000 }, time });
    // Replication lag 2 s except one bad day (day 40) at 120 s.
    points.push({ measurement: 'postgres', tags: { ...owner, check: 'pg-main' }, fields: { up: 1, connections_pct: 30, replication_lag_sec: d === 40 ? 120 : 2 }, time });
    // The certificate has 12 days left at the end of the quarter.
    points.push({ measurement: 'http', tags: { ...owner, check: 'web', url: 'https://shop.acme.example/' }, fields: { up: 1, cert_days_left: 12 + (DAYS * 24 - 1 - h) / 24 }, time });
    points.push({ measurement: 'file', tags: { ...owner, check: 'backup', path: '/backup/db.dump' }, fields: { exists: 1, age_sec: 3 * 86400 }, time });
  }
  return points;
}

const facts = (kernel: string): InventoryFacts => ({
  hostname: 'db1',
  os: 'Debian GNU/Linux 12',
  kernel,
  arch: 'x64',
  cpuModel: 'Test CPU',
  cpuCores: 4,
  memoryBytes: 8 * GIB,
  disks: [],
  filesystems: [],
  nics: [],
  packages: { openssl: '3.0.11' },
});

/**
 * Tickets of the quarter (P2: respond 30 min, restore 480 min; 7x24 calendar by default):
 *   A ack 10 / restore 100 -> both met;  B ack 45 (late) / restore 200;  C ack 20 / restore 600 (late);
 *   D ack 5 / restore 60;  plus one opened in Q2 (not counted) and a host-unreachable one of 360 min.
 */
export const TICKETS = [
  { key: 'A', openedDay: 10, ackMin: 10, restoreMin: 100 },
  { key: 'B', openedDay: 20, ackMin: 45, restoreMin: 200 },
  { key: 'C', openedDay: 30, ackMin: 20, restoreMin: 600 },
  { key: 'D', openedDay: 50, ackMin: 5, restoreMin: 60 },
];
export const DOWN_MINUTES = 360;

export async function seedQuarter(db: Db, store: MetricsStore, customer = 'acme'): Promise<Seeded> {
  ensureCustomer(db, customer, customer === 'acme' ? 'ACME 有限公司' : customer.toUpperCase(), SAMPLE_START - 200 * DAY);
  // The host exists since well before the quarter, so its availability covers the whole quarter.
  const host = createHost(db, { customerId: customer, name: 'db1', kind: 'agent', now: SAMPLE_START - 100 * DAY });
  await store.write(seedMetrics(customer, host.id));

  const result = (name: string, checkId: string, status: CheckResult['status'], summary: string, at: number, details?: string): CheckResult => ({
    name,
    checkId,
    status,
    summary,
    details,
    startedAt: at,
    durationMs: 5,
    metrics: [],
  });
  const last = SAMPLE_START + DAYS * DAY - HOUR;
  recordCheckResults(db, host.id, customer, [
    result('system.cpu', 'system.cpu', 'OK', 'cpu 20%', last),
    result('system.disk', 'system.disk', 'OK', '2 file systems OK', last),
    result('pg-main', 'db.postgres', 'OK', 'PostgreSQL 15 up', last),
    result('web', 'network.http', 'OK', 'GET https://shop.acme.example/ 200', last),
    result('backup', 'system.file', 'CRITICAL', '/backup/db.dump: modified 3 d ago (older than 50 h)', last),
  ]);

  const tracker = createInventoryTracker(db, () => NOW);
  await tracker.onResults({ hostId: host.id, customerId: customer }, [result('system.inventory', 'system.inventory', 'OK', 'inventory', SAMPLE_START + 2 * DAY, JSON.stringify(facts('6.1.0-17-amd64')))], NOW);
  await tracker.onResults({ hostId: host.id, customerId: customer }, [result('system.inventory', 'system.inventory', 'OK', 'inventory', SAMPLE_START + 60 * DAY, JSON.stringify(facts('6.1.0-18-amd64')))], NOW);

  const base = {
    customerId: customer,
    hostId: host.id,
    kind: 'check' as const,
    checkName: 'pg-main',
    checkId: 'db.postgres',
    summary: '',
    status: 'CRITICAL' as const,
    severity: 'P2' as const,
    flapping: false,
  };
  for (const t of [...TICKETS, { key: 'old', openedDay: -20, ackMin: 5, restoreMin: 60 }]) {
    const openedAt = SAMPLE_START + t.openedDay * DAY + 3 * HOUR;
    const tk = insertTicket(db, {
      ...base,
      problemKey: `check:${host.id}:pg-main:${t.key}`,
      title: `pg-main ${t.key}`,
      openedAt,
      responseDueAt: openedAt + 30 * 60_000,
      onsiteDueAt: openedAt + 120 * 60_000,
      restoreDueAt: openedAt + 480 * 60_000,
    });
    updateTicket(db, tk.id, { state: 'closed', acknowledgedAt: openedAt + t.ackMin * 60_000, restoredAt: openedAt + t.restoreMin * 60_000, closedAt: openedAt + DAY }, openedAt + DAY);
  }
  const downAt = SAMPLE_START + 70 * DAY;
  const down = insertTicket(db, {
    ...base,
    kind: 'host-unreachable',
    checkName: null,
    checkId: null,
    problemKey: `host:${host.id}`,
    title: 'db1 unreachable',
    openedAt: downAt,
    responseDueAt: downAt + 30 * 60_000,
    onsiteDueAt: downAt + 120 * 60_000,
    restoreDueAt: downAt + 480 * 60_000,
  });
  updateTicket(db, down.id, { state: 'closed', acknowledgedAt: downAt + 10 * 60_000, restoredAt: downAt + DOWN_MINUTES * 60_000, closedAt: downAt + DAY }, downAt + DAY);
  return { host };
}
