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
