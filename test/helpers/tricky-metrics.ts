import type { Metric } from '../../shared/metric.js';

/** Values a real host hands us: mount points with spaces, Windows-ish paths, perfdata labels, quotes. */
export const TRICKY_METRICS: Metric[] = [
  { measurement: 'disk', tags: { mount: '/mnt/My Files', fs: 'ext4' }, fields: { used_pct: 93.5, free_bytes: 1234567890123 }, time: 1_700_000_000_001 },
  { measurement: 'nagios', tags: { label: 'a,b=c d', unit: '%' }, fields: { value: -0.25, warn: 1e21, crit: 5e-7 }, time: 1_700_000_000_002 },
  { measurement: 'process', tags: { name: 'java "main"', user: 'C:\\svc' }, fields: { running: true, stopped: false, count: 0 }, time: 1_700_000_000_003 },
  { measurement: 'log_pattern', tags: { file: '/var/log/syslog' }, fields: { last_line: 'said "hi" \\ bye', count: 3 }, time: 1_700_000_000_004 },
  { measurement: 'multi_line', tags: { note: 'one\ntwo' }, fields: { text: 'first\r\nsecond' }, time: 1_700_000_000_005 },
];

/** What a store gives back for one of them: line protocol has no newline, so newlines in values become spaces. */
export function asStored(m: Metric): Metric {
  const oneLine = (v: string) => v.replace(/[\r\n]+/g, ' ');
  return {
    ...m,
    tags: Object.fromEntries(Object.entries(m.tags).map(([k, v]) => [k, oneLine(v)])),
    fields: Object.fromEntries(Object.entries(m.fields).map(([k, v]) => [k, typeof v === 'string' ? oneLine(v) : v])),
  };
}
