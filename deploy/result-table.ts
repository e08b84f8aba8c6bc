import type { HostResult } from './run-deploy.js';

/** The table `patrol deploy` ends with: one row per host, failures with their reason. */
export function formatResultTable(results: readonly HostResult[]): string {
  const header = ['HOST', 'RESULT', 'ACTION', 'VERSION', 'SERVICE', 'REASON'];
  const rows = results.map((r) => [r.host, r.ok ? 'ok' : 'failed', r.action ?? '-', r.version ?? '-', r.service ?? '-', r.reason ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const failed = results.filter((r) => !r.ok).length;
  return [line(header), ...rows.map(line), '', `${results.length - failed} ok, ${failed} failed`].join('\n');
}
