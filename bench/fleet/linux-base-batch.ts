import { toLine } from '../../shared/line-protocol.js';
import { toWireResult } from '../../shared/protocol.js';
import type { CheckResult } from '../../shared/check-result.js';
import type { Metric, FieldValue } from '../../shared/metric.js';
import type { Status } from '../../shared/status.js';
import { CPU, DISK, MEM, NET, SYSTEM } from '../../checks/system/metrics.js';
import type { FieldDeclaration, MeasurementDeclaration } from '../../checks/metric-declaration.js';

/**
 * What a real agent with the linux-base template sends (protocol 2/3): results of system.cpu, .memory, .disk and
 * .network every 60 s and system.uptime every 300 s, each with the fields its check declares (checks/system/
 * metrics.ts), plus the agent's own figures as a batch-level line. Built once per combination of due checks as
 * JSON text split at the time, so that thousands of simulated agents cost the load generator almost nothing.
 */

export interface LinuxBaseCheck {
  name: string;
  intervalSec: number;
}

/** linux-base without system.inventory (once a day: it never falls into a measured window). */
export const LINUX_BASE: readonly LinuxBaseCheck[] = [
  { name: 'system.cpu', intervalSec: 60 },
  { name: 'system.memory', intervalSec: 60 },
  { name: 'system.disk', intervalSec: 60 },
  { name: 'system.network', intervalSec: 60 },
  { name: 'system.uptime', intervalSec: 300 },
];
export const DISK_CHECK = LINUX_BASE.findIndex((c) => c.name === 'system.disk');

const TIME_MARK = 1234567890123;

/** A plausible value for a declared field, by its unit. */
function valueOf(field: string, d: FieldDeclaration, critical: boolean): FieldValue {
  switch (d.unit) {
    case 'percent':
      return critical && field === 'used_pct' ? 97.25 : 41.5;
    case 'bytes':
      return 53_687_091_200;
    case 'bytes_per_sec':
      return 125_000.5;
    case 'boolean':
      return field === 'up' ? 1 : 0;
    case 'load':
      return 0.42;
    case 'epoch_sec':
      return 1_760_000_000;
    case 'seconds':
      return 864_000;
    default:
      return 17;
  }
}

function metric(decl: MeasurementDeclaration<Record<string, FieldDeclaration>, string>, tags: Record<string, string>, critical = false): Metric {
  const fields = Object.fromEntries(Object.entries(decl.fields).map(([k, d]) => [k, valueOf(k, d, critical)]));
  return { measurement: decl.name, tags, fields, time: TIME_MARK };
}

function resultOf(check: string, critical: boolean): CheckResult {
  const metrics: Metric[] = {
    'system.cpu': () => [metric(CPU, {})],
    'system.memory': () => [metric(MEM, {})],
    'system.disk': () =>
      [
        ['/', '/dev/sda1', 'ext4'],
        ['/boot', '/dev/sda2', 'ext4'],
        ['/data', '/dev/sdb1', 'xfs'],
      ].map(([mount, device, fstype]) => metric(DISK, { mount: mount!, device: device!, fstype: fstype! }, critical && mount === '/data')),
    'system.network': () => ['eth0', 'eth1'].map((iface) => metric(NET, { iface })),
    'system.uptime': () => [metric(SYSTEM, {})],
  }[check]!();
  const status: Status = critical ? 'CRITICAL' : 'OK';
  const summary = critical ? '/data 97.2% used (critical above 90%)' : `${check}: all within thresholds`;
  return { name: check, checkId: check, status, summary, startedAt: TIME_MARK, durationMs: 12.5, metrics };
}

const AGENT_LINE = toLine({
  measurement: 'patrol_agent',
  tags: {},
  fields: { spool_bytes: 0, spool_limit_bytes: 104_857_600, spool_batches: 0, spool_oldest_age_sec: 0, dropped_points_total: 0, rss_bytes: 61_000_000, cpu_user_ms_total: 5400, cpu_system_ms_total: 1200 },
  time: TIME_MARK,
});

const templates = new Map<string, { parts: string[]; lines: number }>();

/**
 * The text of one batch: `due` is a bit mask over LINUX_BASE (the checks whose run fell into this flush);
 * `diskCritical` makes system.disk a CRITICAL result (/data full). Also returns the number of lines it carries.
 */
export function batchText(seq: number, due: number, diskCritical: boolean, timeMs: number): { text: string; lines: number } {
  if (diskCritical) due |= 1 << DISK_CHECK;
  const key = `${due}:${diskCritical}`;
  let t = templates.get(key);
  if (!t) {
    const results = LINUX_BASE.filter((_, i) => due & (1 << i)).map((c) => resultOf(c.name, diskCritical && c.name === 'system.disk'));
    const body = JSON.stringify({ results: results.map(toWireResult), lines: AGENT_LINE });
    // Each result is also one `check` point at the collector.
    const lines = results.reduce((n, r) => n + 1 + r.metrics.length, 1);
    t = { parts: body.slice(1).split(String(TIME_MARK)), lines };
    templates.set(key, t);
  }
  return { text: `{"type":"batch","seq":${seq},${t.parts.join(String(timeMs))}`, lines: t.lines };
}
