import type { Lang } from '../../page-kit/i18n/index.js';
import { formatBytes, formatFigure } from '../../page-kit/format.js';

/**
 * The host's facts (from the agent's hello) and inventory (from system.inventory) as rows a person reads: the
 * key in the page language and sizes in KiB/MiB/GiB, never a raw 25276203008.
 */

type Words = { zh: string; en: string };

const FACT_LABELS: Record<string, Words> = {
  hostname: { zh: '主机名', en: 'Host name' },
  os: { zh: '操作系统', en: 'Operating system' },
  kernel: { zh: '内核', en: 'Kernel' },
  arch: { zh: '架构', en: 'Architecture' },
  cpuCores: { zh: 'CPU 核数', en: 'CPU cores' },
  memoryBytes: { zh: '内存', en: 'Memory' },
  uptimeSec: { zh: '运行时长', en: 'Uptime' },
  'cpu.model': { zh: 'CPU 型号', en: 'CPU model' },
  'cpu.cores': { zh: 'CPU 核数', en: 'CPU cores' },
  'memory.bytes': { zh: '内存', en: 'Memory' },
};

/** Inventory keys with a device in the middle: "disk.sda.sizeBytes" -> "磁盘 sda 容量". */
const PATTERNS: Array<{ re: RegExp; zh: string; en: string }> = [
  { re: /^disk\.(.+)\.sizeBytes$/, zh: '磁盘 $1 容量', en: 'Disk $1 size' },
  { re: /^disk\.(.+)\.model$/, zh: '磁盘 $1 型号', en: 'Disk $1 model' },
  { re: /^fs\.(.+)\.sizeBytes$/, zh: '文件系统 $1 容量', en: 'File system $1 size' },
  { re: /^fs\.(.+)\.device$/, zh: '文件系统 $1 设备', en: 'File system $1 device' },
  { re: /^fs\.(.+)\.fsType$/, zh: '文件系统 $1 类型', en: 'File system $1 type' },
  { re: /^nic\.(.+)\.mac$/, zh: '网卡 $1 MAC 地址', en: 'NIC $1 MAC address' },
  { re: /^nic\.(.+)\.addresses$/, zh: '网卡 $1 地址', en: 'NIC $1 addresses' },
  { re: /^nic\.(.+)\.mtu$/, zh: '网卡 $1 MTU', en: 'NIC $1 MTU' },
  { re: /^package\.(.+)$/, zh: '软件包 $1', en: 'Package $1' },
];

export function factLabel(key: string, lang: Lang): string {
  const known = FACT_LABELS[key];
  if (known) return known[lang];
  for (const p of PATTERNS) if (p.re.test(key)) return key.replace(p.re, p[lang]);
  return key;
}

/** A fact's value: sizes by their key's unit, durations in days and hours, the rest as text. */
export function factValue(key: string, value: unknown, lang: Lang): string {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
  if (n !== undefined && /(bytes|Bytes)$/.test(key)) return formatBytes(n);
  if (n !== undefined && /(Sec|_sec)$/.test(key)) return formatFigure('seconds', n, lang);
  if (value === '(not installed)') return lang === 'zh' ? '未安装' : 'not installed';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export function factRows(facts: Readonly<Record<string, unknown>>, lang: Lang): Array<{ key: string; label: string; value: string }> {
  return Object.entries(facts)
    .filter(([, v]) => v !== '' && v !== null && v !== undefined)
    .map(([key, v]) => ({ key, label: factLabel(key, lang), value: factValue(key, v, lang) }));
}
