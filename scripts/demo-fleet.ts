import type { Metric } from '../shared/metric.js';
import type { CheckMessage, CheckResultHead } from '../shared/check-result.js';
import type { Status } from '../shared/status.js';
import type { Db } from '../collector/db/database.js';
import { ensureCustomer } from '../collector/db/customers.js';
import { createHost, type Host } from '../collector/db/hosts.js';
import { recordCheckResults } from '../collector/db/check-states.js';
import type { MetricsStore } from '../collector/metrics/store.js';
import { insertTicket, updateTicket } from '../collector/tickets/ticket-store.js';
import { createInventoryTracker } from '../collector/inventory/inventory-tracker.js';
import { InspectionAnswers, runInspection } from '../collector/reports/inspection.js';
import { checkLogo } from '../collector/reports/logo.js';
import { setCustomerReportProfile, setProviderIdentity } from '../collector/reports/provider-store.js';
import { zonedToUtc } from '../shared/zoned-time.js';
import type { InventoryFacts } from '../shared/inventory.js';

/**
 * A small demo fleet with faults, for the sample reports (docs/report-sample-*.pdf) and the tests that look
 * at a whole report: customer "demo" (华东示范制造有限公司) with four hosts over 2026Q3:
 *   db1  PostgreSQL primary, /data filling up (86%, full in weeks), a stale backup, a replication-lag day;
 *   web1 busy CPU (p95 above 90%), its certificate expiring in 12 days;
 *   web2 lost on 2026-09-22 and still unreachable at the inspection: one finding, not one per check;
 *   sw1  an SNMP switch that restarted once.
 * Tickets: one answered in time, one late, and web2's host-unreachable ticket still open. The inspection ran on
 * 2026-09-24 09:00 (Beijing) and web2 did not answer it.
 */

export const DEMO_CUSTOMER = 'demo';
export const DEMO_PERIOD = '2026Q3';
const HOUR = 3_600_000;
const DAY = 86_400_000;
const GIB = 1024 ** 3;
/** 2026-07-01 00:00 Beijing: the quarter's first hour. */
export const DEMO_FROM = zonedToUtc(2026, 7, 1, 0, 0, 'Asia/Shanghai');
export const DEMO_INSPECTION_AT = zonedToUtc(2026, 9, 24, 9, 0, 'Asia/Shanghai');
/** When the demo report is made: 2026-10-08 10:00 Beijing, after the quarter. */
export const DEMO_NOW = zonedToUtc(2026, 10, 8, 10, 0, 'Asia/Shanghai');
const WEB2_LOST_AT = zonedToUtc(2026, 9, 22, 14, 30, 'Asia/Shanghai');
const QUARTER_END = zonedToUtc(2026, 10, 1, 0, 0, 'Asia/Shanghai');

/** A provider logo drawn in SVG (a shield with a tick), the kind an admin uploads. */
export const DEMO_LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><path d="M32 4 L56 14 V32 C56 46 45 56 32 60 C19 56 8 46 8 32 V14 Z" fill="#1f5fa8"/><path d="M20 33 L29 42 L45 24" fill="none" stroke="#fff" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

export interface DemoFleet {
  hosts: Record<'db1' | 'web1' | 'web2' | 'sw1', Host>;
}

function metrics(owner: { customer: string; host: string }, h: number, kind: 'db1' | 'web1' | 'web2' | 'sw1', time: number): Metric[] {
  const d = Math.floor(h / 24);
  const hourOfDay = h % 24;
  const out: Metric[] = [];
  const tags = (check: string, extra: Record<string, string> = {}) => ({ ...owner, check, ...extra });
  if (kind === 'sw1') {
    out.push({ measurement: 'snmp_device', tags: tags('core-switch'), fields: { up: 1, cpu_load_pct: 18 + (hourOfDay % 6), mem_used_pct: 41, restarted: h === 40 * 24 + 3 ? 1 : 0 }, time });
    return out;
  }
  // Business hours are busier; web1 runs hot in the afternoons.
  const busy = hourOfDay >= 1 && hourOfDay <= 10;
  const cpu = kind === 'web1' ? (busy ? 88 + (h % 9) : 35 + (h % 7)) : kind === 'db1' ? (busy ? 45 + (h % 11) : 18 + (h % 5)) : 22 + (h % 6);
  out.push({ measurement: 'cpu', tags: tags('system.cpu'), fields: { usage_pct: cpu, load1: cpu / 30 }, time });
  out.push({ measurement: 'mem', tags: tags('system.memory'), fields: { used_pct: kind === 'db1' ? 71 + (h % 4) : 48 + (h % 6), swap_used_pct: kind === 'db1' ? 6 : 0 }, time });
  const mounts: Array<[string, number, number]> =
    kind === 'db1'
      ? [
          ['/', 42 + 0.01 * d, 50],
          ['/data', 55 + 0.34 * d, 500],
        ]
      : [['/', 31 + 0.05 * d, 40]];
  for (const [mount, pct, sizeGib] of mounts) {
    out.push({ measurement: 'disk', tags: tags('system.disk', { mount }), fields: { used_pct: pct, used_bytes: (pct / 100) * sizeGib * GIB, total_bytes: sizeGib * GIB, free_bytes: (1 - pct / 100) * sizeGib * GIB }, time });
  }
  out.push({ measurement: 'net', tags: tags('system.network', { iface: 'eth0' }), fields: { errors_per_sec: kind === 'web1' && d === 63 ? 2.5 : 0 }, time });
  out.push({ measurement: 'system', tags: tags('system.uptime'), fields: { rebooted: kind === 'web1' && h === 50 * 24 + 2 ? 1 : 0, uptime_sec: 1000 + h * 3600 }, time });
  if (kind === 'db1') {
    out.push({ measurement: 'postgres', tags: tags('pg-main'), fields: { up: 1, connections_pct: 17 + (h % 5), replication_lag_sec: d === 47 ? 140 : 1 }, time });
    out.push({ measurement: 'file', tags: tags('backup', { path: '/backup/pg-main.dump' }), fields: { exists: 1, age_sec: d > 80 ? (d - 80) * DAY / 1000 : 6 * 3600 }, time });
  }
  if (kind === 'web1') out.push({ measurement: 'http', tags: tags('shop', { url: 'https://shop.demo.example/' }), fields: { up: 1, cert_days_left: 12 + (QUARTER_END - time) / DAY }, time });
  return out;
}

const facts = (hostname: string, memGib: number): InventoryFacts => ({
  hostname,
  os: 'Kylin Linux Advanced Server V10',
  kernel: '4.19.90-52.22.v2207.ky10.x86_64',
  arch: 'x64',
  cpuModel: 'Hygon C86 7285',
  cpuCores: 8,
  memoryBytes: memGib * GIB,
  disks: [],
  filesystems: [],
  nics: [],
  packages: { openssl: '1.1.1f', 'openssh-server': '8.2p1', bash: '5.0' },
});

/** Seed the fleet into a collector's database and metrics store; returns the hosts. */
export async function seedDemoFleet(db: Db, store: MetricsStore): Promise<DemoFleet> {
  ensureCustomer(db, DEMO_CUSTOMER, '华东示范制造有限公司', DEMO_FROM - 400 * DAY);
  const mk = (name: string, kind: 'agent' | 'snmp', criticality: 'critical' | 'high' | 'normal') => createHost(db, { customerId: DEMO_CUSTOMER, name, kind, criticality, now: DEMO_FROM - 300 * DAY });
  const hosts = { db1: mk('db1', 'agent', 'critical'), web1: mk('web1', 'agent', 'high'), web2: mk('web2', 'agent', 'normal'), sw1: mk('sw1', 'snmp', 'high') };

  const points: Metric[] = [];
  const hours = Math.round((QUARTER_END - DEMO_FROM) / HOUR);
  for (const [kind, host] of Object.entries(hosts) as Array<[keyof DemoFleet['hosts'], Host]>) {
    for (let h = 0; h < hours; h++) {
      const time = DEMO_FROM + h * HOUR;
      if (kind === 'web2' && time >= WEB2_LOST_AT) break; // nothing arrives once it is lost
      points.push(...metrics({ customer: DEMO_CUSTOMER, host: host.id }, h, kind, time));
    }
  }
  for (let i = 0; i < points.length; i += 20_000) await store.write(points.slice(i, i + 20_000));

  const at = DEMO_INSPECTION_AT + 60_000;
  const result = (name: string, checkId: string, status: Status, message: CheckMessage, summary: string, when = at): CheckResultHead => ({ name, checkId, status, message, summary, startedAt: when, durationMs: 5 });
  const msg = (key: string, values: CheckMessage['values'], parts?: CheckMessage['parts']): CheckMessage => (parts ? { key, values, parts } : { key, values });
  const common = (cpuPct: number, cpuStatus: Status, when = at) => [
    result('system.cpu', 'system.cpu', cpuStatus, msg('system.cpu.usage', { usagePct: cpuPct, load1: cpuPct / 25, load5: cpuPct / 27, load15: cpuPct / 30, cores: 8 }), `CPU ${cpuPct}% used`, when),
    result('system.memory', 'system.memory', 'OK', msg('system.memory.used', { usedPct: 62.4, usedBytes: 20 * GIB, totalBytes: 32 * GIB, swapPct: 0 }), 'memory 62.4% used', when),
    result('system.network', 'system.network', 'OK', msg('system.network.ok', { count: 1, rxBytesPerSec: 812_000, txBytesPerSec: 455_000 }), '1 interface OK', when),
    result('system.uptime', 'system.uptime', 'OK', msg('system.uptime.up', { uptimeSec: 38 * 86400 }), 'up 38d', when),
  ];
  recordCheckResults(db, hosts.db1.id, DEMO_CUSTOMER, [
    ...common(47, 'OK'),
    result('system.disk', 'system.disk', 'WARNING', msg('system.disk.above', {}, [{ key: 'system.disk.mount', values: { mount: '/data', pct: 86.3 } }]), '/data 86.3% above threshold'),
    result('pg-main', 'db.postgres', 'OK', msg('db.postgres.up', { version: '15.4', role: 'primary', connectMs: 2.1, used: 35, max: 200 }), 'PostgreSQL 15.4 primary up'),
    result('backup', 'system.file', 'CRITICAL', msg('system.file.one', { path: '/backup/pg-main.dump', sizeBytes: 8_123_456_789, ageSec: 11 * 86400 }, [{ key: 'system.file.older', values: { hours: 50 } }]), '/backup/pg-main.dump older than 50 h'),
  ]);
  recordCheckResults(db, hosts.web1.id, DEMO_CUSTOMER, [
    ...common(93, 'WARNING'),
    result('system.disk', 'system.disk', 'OK', msg('system.disk.ok', { count: 1, mount: '/', pct: 36 }), '1 file system OK'),
    result('shop', 'network.http', 'WARNING', msg('network.http.result', { code: 200, ms: 84, certDate: '2026-10-13', certDays: 12 }), 'HTTP 200, certificate expires in 12 days'),
  ]);
  // web2's last results are from before it was lost; the inspection gets nothing from it.
  recordCheckResults(db, hosts.web2.id, DEMO_CUSTOMER, [
    ...common(24, 'OK', WEB2_LOST_AT - HOUR),
    result('system.disk', 'system.disk', 'OK', msg('system.disk.ok', { count: 1, mount: '/', pct: 35 }), '1 file system OK', WEB2_LOST_AT - HOUR),
  ]);
  recordCheckResults(db, hosts.sw1.id, DEMO_CUSTOMER, [
    result('core-switch', 'network.snmp', 'OK', msg('network.snmp.ok', { sysName: 'SW-CORE-01', uptimeSec: 52 * 86400, interfaces: 48, up: 31, adminDown: 4, cpuPct: 21, memPct: 41 }), 'SW-CORE-01 up 52d'),
  ]);

  const tracker = createInventoryTracker(db, () => DEMO_NOW);
  for (const [name, host, mem] of [['db1', hosts.db1, 64], ['web1', hosts.web1, 32], ['web2', hosts.web2, 32]] as const) {
    await tracker.onResults({ hostId: host.id, customerId: DEMO_CUSTOMER }, [{ name: 'system.inventory', checkId: 'system.inventory', status: 'OK', summary: 'inventory', details: JSON.stringify(facts(name, mem)), startedAt: DEMO_FROM + DAY, durationMs: 5 }], DEMO_NOW);
  }

  // Tickets: a CPU ticket answered in time, a backup ticket answered late, web2's loss still open.
  const ticket = (host: Host, key: string, title: string, openedAt: number, ackMin: number | null, restoreMin: number | null, kind: 'check' | 'host-unreachable' = 'check', checkName: string | null = 'system.cpu') => {
    const t = insertTicket(db, {
      customerId: DEMO_CUSTOMER,
      hostId: host.id,
      kind,
      checkName: kind === 'check' ? checkName : null,
      checkId: kind === 'check' ? (checkName === 'backup' ? 'system.file' : 'system.cpu') : null,
      summary: title,
      status: 'CRITICAL',
      severity: 'P2',
      flapping: false,
      problemKey: key,
      title,
      openedAt,
      responseDueAt: openedAt + 30 * 60_000,
      onsiteDueAt: openedAt + 120 * 60_000,
      restoreDueAt: openedAt + 480 * 60_000,
    });
    if (ackMin !== null) {
      const closed = restoreMin !== null;
      updateTicket(db, t.id, { state: closed ? 'closed' : 'acknowledged', acknowledgedAt: openedAt + ackMin * 60_000, restoredAt: closed ? openedAt + restoreMin * 60_000 : null, closedAt: closed ? openedAt + DAY : null }, openedAt + DAY);
    }
  };
  ticket(hosts.web1, `check:${hosts.web1.id}:system.cpu:1`, 'web1 CPU 使用率过高', DEMO_FROM + 20 * DAY + 3 * HOUR, 12, 95);
  ticket(hosts.db1, `check:${hosts.db1.id}:backup:1`, 'db1 备份文件超过 50 小时未更新', DEMO_FROM + 83 * DAY + 2 * HOUR, 55, 300, 'check', 'backup');
  ticket(hosts.web2, `host:${hosts.web2.id}`, 'web2 主机失联', WEB2_LOST_AT + 3 * 60_000, 18, null, 'host-unreachable');

  // The inspection run: every host but web2 answers.
  const answers = new InspectionAnswers();
  await runInspection({
    db,
    hub: {
      runNow: (hostId, requestId) => {
        if (hostId === hosts.web2.id) return false;
        answers.onResults({ hostId }, [], DEMO_INSPECTION_AT + 5000, { requestId });
        return true;
      },
    },
    answers,
    customerId: DEMO_CUSTOMER,
    inspection: { key: 'national-day-2026', period: DEMO_PERIOD },
    now: () => DEMO_INSPECTION_AT,
    timeoutMs: 1000,
  });
  return { hosts };
}

/** The provider's identity and the demo customer's contract details, as an admin enters them. */
export function seedDemoProvider(db: Db): void {
  const logo = checkLogo(Buffer.from(DEMO_LOGO_SVG));
  if (!logo.ok) throw new Error(logo.en);
  setProviderIdentity(
    db,
    {
      companyName: '云巡信息技术服务有限公司',
      companyNameEn: 'Yunxun IT Services Co., Ltd.',
      address: '上海市浦东新区张江路 88 号 6 楼',
      addressEn: '6F, 88 Zhangjiang Road, Pudong, Shanghai',
      hotline: '400-820-8899',
      email: 'service@yunxun.example',
    },
    logo.logo,
    'admin',
    DEMO_NOW,
  );
  setCustomerReportProfile(db, DEMO_CUSTOMER, { contractNumber: 'YX-WB-2026-0318', contactName: '陈建国', contactPhone: '021-5080-1234', contactEmail: 'it@demo.example', reportEmails: ['cio@demo.example'] }, DEMO_NOW);
}
