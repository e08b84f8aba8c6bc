import { declareMeasurement } from '../metric-declaration.js';

/** What the network checks write that others read (network.http, network.snmp). */

export const HTTP = declareMeasurement(
  'http',
  {
    up: { unit: 'boolean', en: 'Answered', zh: '可访问' },
    status_code: { unit: 'count', en: 'HTTP status', zh: 'HTTP 状态码' },
    response_sec: { unit: 'seconds', en: 'Response time', zh: '响应时间' },
    body_bytes: { unit: 'bytes', en: 'Body size', zh: '响应大小' },
    cert_days_left: { unit: 'days', en: 'Certificate valid for', zh: '证书剩余天数' },
  },
  ['url', 'method'],
);

export const SNMP_DEVICE = declareMeasurement(
  'snmp_device',
  {
    up: { unit: 'boolean', en: 'Answering SNMP', zh: 'SNMP 可达' },
    uptime_sec: { unit: 'seconds', en: 'Uptime', zh: '运行时长' },
    uptime_source: { unit: 'text', en: 'Uptime source', zh: '运行时长来源' },
    restarted: { unit: 'boolean', en: 'Restarted since the last poll', zh: '自上次轮询后重启' },
    interfaces: { unit: 'count', en: 'Interfaces', zh: '接口数' },
    interfaces_down: { unit: 'count', en: 'Interfaces without link', zh: '无链路接口数' },
    links_lost: { unit: 'count', en: 'Links lost', zh: '断开的链路' },
    cpu_load_pct: { unit: 'percent', en: 'CPU load', zh: 'CPU 负载' },
    cpu_count: { unit: 'count', en: 'CPUs', zh: 'CPU 数' },
    mem_total_bytes: { unit: 'bytes', en: 'Memory size', zh: '内存总量' },
    mem_used_bytes: { unit: 'bytes', en: 'Memory used', zh: '已用内存' },
    mem_used_pct: { unit: 'percent', en: 'Memory used', zh: '内存使用率' },
  },
  ['device'],
);

/** Written by network.tcp. */
export const TCP = declareMeasurement(
  'tcp',
  {
    up: { unit: 'boolean', en: 'Port answering', zh: '端口可连接' },
    connect_sec: { unit: 'seconds', en: 'Connect time', zh: '连接耗时' },
  },
  ['target'],
);

/** Written by network.ping. */
export const PING = declareMeasurement(
  'ping',
  {
    transmitted: { unit: 'count', en: 'Pings sent', zh: '发送包数' },
    received: { unit: 'count', en: 'Pings answered', zh: '接收包数' },
    loss_pct: { unit: 'percent', en: 'Packet loss', zh: '丢包率' },
    rtt_min_sec: { unit: 'seconds', en: 'Round trip (min)', zh: '往返时延（最小）' },
    rtt_avg_sec: { unit: 'seconds', en: 'Round trip (average)', zh: '往返时延（平均）' },
    rtt_max_sec: { unit: 'seconds', en: 'Round trip (max)', zh: '往返时延（最大）' },
  },
  ['target'],
);

/** Written by network.dns. */
export const DNS = declareMeasurement(
  'dns',
  {
    resolved: { unit: 'boolean', en: 'Name resolved', zh: '域名可解析' },
    answers: { unit: 'count', en: 'Answers', zh: '应答记录数' },
    response_sec: { unit: 'seconds', en: 'Response time', zh: '响应时间' },
  },
  ['name', 'type'],
);

/** Written by network.snmp, per interface. */
export const SNMP_INTERFACE = declareMeasurement(
  'snmp_interface',
  {
    speed_bps: { unit: 'count', en: 'Link speed (bit/s)', zh: '链路速率（bit/s）' },
    in_bps: { unit: 'count', en: 'Received (bit/s)', zh: '接收速率（bit/s）' },
    out_bps: { unit: 'count', en: 'Sent (bit/s)', zh: '发送速率（bit/s）' },
    in_util_pct: { unit: 'percent', en: 'Receive utilisation', zh: '接收利用率' },
    out_util_pct: { unit: 'percent', en: 'Send utilisation', zh: '发送利用率' },
    errors_per_sec: { unit: 'per_sec', en: 'Errors', zh: '错误' },
    discards_per_sec: { unit: 'per_sec', en: 'Discards', zh: '丢弃' },
  },
  ['device', 'ifname', 'ifindex'],
);
