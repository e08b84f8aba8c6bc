import type { FieldDeclaration, FieldUnit } from '../../checks/metric-declaration.js';
import * as databaseMetrics from '../../checks/database/metrics.js';
import * as networkMetrics from '../../checks/network/metrics.js';
import * as systemMetrics from '../../checks/system/metrics.js';
import { checkTitle } from '../../checks/titles.js';
import type { Lang } from '../page-kit/i18n/index.js';

/**
 * What a figure in the host page's metrics picker is called and how its numbers read: the declared measurements
 * of checks/<family>/metrics.ts first (the same words as the reports and the charts above the picker).
 */
const DECLARED = new Map<string, FieldDeclaration>();
for (const family of [systemMetrics, networkMetrics, databaseMetrics]) {
  for (const decl of Object.values(family)) {
    for (const [field, d] of Object.entries(decl.fields as Record<string, FieldDeclaration>)) DECLARED.set(`${decl.name}.${field}`, d);
  }
}

/**
 * Fields checks write without a declaration of their own yet (they should move into checks/<family>/metrics.ts
 * as declareMeasurement calls; until then the picker still names them in the reader's language).
 */
const UNDECLARED: Record<string, FieldDeclaration> = {
  'tcp.up': { unit: 'boolean', en: 'Port answering', zh: '端口可连接' },
  'tcp.connect_sec': { unit: 'seconds', en: 'Connect time', zh: '连接耗时' },
  'ping.transmitted': { unit: 'count', en: 'Pings sent', zh: '发送包数' },
  'ping.received': { unit: 'count', en: 'Pings answered', zh: '接收包数' },
  'ping.loss_pct': { unit: 'percent', en: 'Packet loss', zh: '丢包率' },
  'ping.rtt_min_sec': { unit: 'seconds', en: 'Round trip (min)', zh: '往返时延（最小）' },
  'ping.rtt_avg_sec': { unit: 'seconds', en: 'Round trip (average)', zh: '往返时延（平均）' },
  'ping.rtt_max_sec': { unit: 'seconds', en: 'Round trip (max)', zh: '往返时延（最大）' },
  'dns.resolved': { unit: 'boolean', en: 'Name resolved', zh: '域名可解析' },
  'dns.answers': { unit: 'count', en: 'Answers', zh: '应答记录数' },
  'dns.response_sec': { unit: 'seconds', en: 'Response time', zh: '响应时间' },
  'listening_port.listening': { unit: 'boolean', en: 'Port listening', zh: '端口在监听' },
  'listening_ports.total': { unit: 'count', en: 'Ports listening', zh: '监听端口数' },
  'listening_ports.missing': { unit: 'count', en: 'Expected ports not listening', zh: '未监听的预期端口数' },
  'fds.used': { unit: 'count', en: 'File handles used', zh: '已用文件句柄' },
  'fds.allocated': { unit: 'count', en: 'File handles allocated', zh: '已分配文件句柄' },
  'fds.max': { unit: 'count', en: 'File handle limit', zh: '文件句柄上限' },
  'fds.used_pct': { unit: 'percent', en: 'File handles used', zh: '文件句柄使用率' },
  'clock.offset_sec': { unit: 'seconds', en: 'Clock offset', zh: '时钟偏差' },
  'clock.rtt_sec': { unit: 'seconds', en: 'Time server round trip', zh: '时间服务器往返时延' },
  'process.count': { unit: 'count', en: 'Processes', zh: '进程数' },
  'process.running': { unit: 'boolean', en: 'Running', zh: '运行中' },
  'process.rss_bytes': { unit: 'bytes', en: 'Memory (RSS)', zh: '内存占用（RSS）' },
  'service.active': { unit: 'boolean', en: 'Service active', zh: '服务运行中' },
  'processes.zombies': { unit: 'count', en: 'Zombie processes', zh: '僵尸进程数' },
  'processes.total': { unit: 'count', en: 'Processes', zh: '进程总数' },
  'log_pattern.matches': { unit: 'count', en: 'Matching log lines', zh: '匹配的日志行' },
  'log_pattern.bytes_read': { unit: 'bytes', en: 'Log read', zh: '已读日志' },
  'log_pattern.bytes_skipped': { unit: 'bytes', en: 'Log skipped', zh: '跳过的日志' },
  'snmp_interface.speed_bps': { unit: 'count', en: 'Link speed (bit/s)', zh: '链路速率（bit/s）' },
  'snmp_interface.in_bps': { unit: 'count', en: 'Received (bit/s)', zh: '接收速率（bit/s）' },
  'snmp_interface.out_bps': { unit: 'count', en: 'Sent (bit/s)', zh: '发送速率（bit/s）' },
  'snmp_interface.in_util_pct': { unit: 'percent', en: 'Receive utilisation', zh: '接收利用率' },
  'snmp_interface.out_util_pct': { unit: 'percent', en: 'Send utilisation', zh: '发送利用率' },
  'snmp_interface.errors_per_sec': { unit: 'per_sec', en: 'Errors', zh: '错误' },
  'snmp_interface.discards_per_sec': { unit: 'per_sec', en: 'Discards', zh: '丢弃' },
  'postgres_database.size_bytes': { unit: 'bytes', en: 'Database size', zh: '数据库大小' },
  'postgres_database.xid_age': { unit: 'count', en: 'Transaction id age', zh: '事务 ID 年龄' },
  'postgres_replica.streaming': { unit: 'boolean', en: 'Replica streaming', zh: '副本流复制中' },
  'postgres_replica.replay_lag_sec': { unit: 'seconds', en: 'Replica replay lag', zh: '副本回放延迟' },
  'postgres_replica.lag_bytes': { unit: 'bytes', en: 'Replica lag', zh: '副本落后量' },
};

/** A monitoring plugin's performance data (checks/script/nagios.ts): the plugin names the figure, these its parts. */
const NAGIOS_PARTS: Record<string, { en: string; zh: string }> = {
  value: { en: 'value', zh: '值' },
  warn: { en: 'warning threshold', zh: '警告阈值' },
  crit: { en: 'critical threshold', zh: '严重阈值' },
  min: { en: 'minimum', zh: '最小值' },
  max: { en: 'maximum', zh: '最大值' },
};

/** How a unit is named after a figure's title: "内存使用率 (%)". Nothing for plain counts and words. */
const UNIT_WORDS: Record<FieldUnit, { en: string; zh: string } | undefined> = {
  percent: { en: '%', zh: '%' },
  bytes: { en: 'bytes', zh: '字节' },
  bytes_per_sec: { en: 'bit/s', zh: 'bit/s' },
  seconds: { en: 'duration', zh: '时长' },
  days: { en: 'days', zh: '天' },
  count: undefined,
  per_sec: { en: 'per second', zh: '每秒' },
  per_min: { en: 'per minute', zh: '每分钟' },
  boolean: { en: 'yes/no', zh: '是/否' },
  load: undefined,
  epoch_sec: { en: 'time', zh: '时间' },
  text: undefined,
};

export interface MetricTitle {
  /** The figure's name in the page language ("内存使用率"). */
  title: string;
  /** How its numbers are formatted on the chart; undefined: a plain number (a plugin's own figure). */
  unit: FieldUnit | undefined;
  /** The unit as a word after the title ("%", "字节"), or ''. */
  unitWord: string;
}

/**
 * The title and unit of one numeric field a host's check wrote (`checkName` is the assignment's name, which for
 * most checks is the check id): declared, then known, then a plugin's own label, then the check's title and the
 * field name as the last resort.
 */
export function metricTitle(measurement: string, field: string, checkName: string, lang: Lang): MetricTitle {
  const decl = DECLARED.get(`${measurement}.${field}`) ?? UNDECLARED[`${measurement}.${field}`];
  if (decl) return { title: decl[lang], unit: decl.unit, unitWord: UNIT_WORDS[decl.unit]?.[lang] ?? '' };
  const check = checkTitle(checkName, lang) ?? checkName;
  const part = measurement === 'nagios' ? NAGIOS_PARTS[field]?.[lang] : undefined;
  return { title: `${check} · ${part ?? field}`, unit: undefined, unitWord: '' };
}
