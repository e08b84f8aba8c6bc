import { sayer, type MessageText } from '../message-text.js';

/** Every text the network.* checks say, in en and zh (template syntax: checks/message-text.ts). */
export const NETWORK_TEXTS = {
  // network.ping
  'network.ping.unfinished': { en: 'ping {host} did not finish', zh: 'ping {host} 未能完成' },
  'network.ping.cannotRun': { en: 'cannot run ping: {error}', zh: '无法运行 ping：{error}' },
  'network.ping.failed': { en: 'ping {host}: {error}', zh: 'ping {host}：{error}' },
  'network.ping.unreachable': { en: '{host} unreachable: {sent} sent, none answered', zh: '{host} 不可达：发出 {sent} 个包，全部无应答' },
  'network.ping.ok': {
    en: '{host}: {lossPct}% loss, rtt min/avg/max {minMs}/{avgMs}/{maxMs} ms',
    zh: '{host}：丢包率 {lossPct}%，往返时延 最小/平均/最大 {minMs}/{avgMs}/{maxMs} ms',
  },
  // network.tcp
  'network.tcp.failed': { en: 'cannot connect to {target}: {parts}', zh: '无法连接 {target}：{parts}' },
  'network.tcp.ok': { en: 'connected to {target} in {ms:1} ms', zh: '已连接 {target}，耗时 {ms:1} ms' },
  // Why a connection failed (tcp, http): a known word, or the system's own text.
  'network.error.word': { en: '{error:w}', zh: '{error:w}' },
  'network.error.noAnswer': { en: 'no answer within {ms} ms', zh: '{ms} ms 内无应答' },
  'network.error.noResponse': { en: 'no response within {ms} ms', zh: '{ms} ms 内无响应' },
  'network.error.tls': { en: 'TLS certificate not trusted ({code}): {error}', zh: 'TLS 证书不受信任（{code}）：{error}' },
  'network.error.broken': { en: 'response broken: {error}', zh: '响应中断：{error}' },
  // network.http
  'network.http.failed': { en: '{method} {url}: {parts}', zh: '{method} {url}：{parts}' },
  'network.http.result': {
    en: '{?parts}{parts}: {/parts}HTTP {code}, {ms:0} ms{?certDate}, certificate expires {certDate} ({certDays} days){/certDate}',
    zh: '{?parts}{parts}：{/parts}HTTP {code}，耗时 {ms:0} ms{?certDate}，证书 {certDate} 到期（剩余 {certDays} 天）{/certDate}',
  },
  'network.http.badStatus': { en: 'status {code} not expected', zh: '状态码 {code} 不符合预期' },
  'network.http.slow': { en: 'slow ({ms:0} ms)', zh: '响应慢（{ms:0} ms）' },
  'network.http.bodyMismatch': { en: 'body does not match /{regex}/', zh: '响应内容不匹配 /{regex}/' },
  'network.http.certExpired': { en: 'certificate expired', zh: '证书已过期' },
  'network.http.certExpiring': { en: 'certificate expires in {days} days', zh: '证书将在 {days} 天后到期' },
  // network.dns
  'network.dns.failed': { en: '{name} {type}{?server} @{server}{/server}: {parts}', zh: '{name} {type}{?server} @{server}{/server}：{parts}' },
  'network.dns.nxdomain': { en: 'name not found (NXDOMAIN)', zh: '域名不存在（NXDOMAIN）' },
  'network.dns.noRecord': { en: 'no {type} record', zh: '没有 {type} 记录' },
  'network.dns.timeout': { en: 'no answer (timeout)', zh: '无应答（超时）' },
  'network.dns.error': { en: '{error}', zh: '{error}' },
  'network.dns.mismatch': { en: '{name} {type} answered {answers:w}, expected {missing}', zh: '{name} {type} 的解析结果为 {answers:w}，应包含 {missing}' },
  'network.dns.ok': { en: '{name} {type} = {answers:w} in {ms:1} ms', zh: '{name} {type} = {answers:w}，耗时 {ms:1} ms' },
  // network.snmp
  'network.snmp.aborted': { en: 'SNMP poll of {where} aborted at the check timeout', zh: '对 {where} 的 SNMP 轮询在检查超时时被中止' },
  'network.snmp.noAnswer': { en: 'no SNMP answer from {where} (wrong community or host down)', zh: '{where} 没有 SNMP 应答（团体名错误或设备宕机）' },
  'network.snmp.failed': { en: 'SNMP request to {where} failed: {error}', zh: '对 {where} 的 SNMP 请求失败：{error}' },
  'network.snmp.noUptime': { en: '{where} answers SNMP but has no sysUpTime', zh: '{where} 有 SNMP 应答，但没有 sysUpTime' },
  'network.snmp.stopped': { en: '{where} stopped answering SNMP during the poll', zh: '{where} 在轮询过程中停止了 SNMP 应答' },
  'network.snmp.ok': {
    en: '{sysName} up {uptimeSec:dur}, {interfaces} interfaces ({up} up, {adminDown} admin down{?neverUp}, {neverUp} never up{/neverUp}){?firstRun} (rates from the next run){/firstRun}{?withRates}, in {inBps:mbit} out {outBps:mbit} Mbit/s over {withRates}{/withRates}{?cpuPct}, CPU {cpuPct:0}%{/cpuPct}{?memPct}, memory {memPct:0}%{/memPct}',
    zh: '{sysName} 已运行 {uptimeSec:dur}，{interfaces} 个接口（{up} 个已连接，{adminDown} 个被管理员关闭{?neverUp}，{neverUp} 个从未连接{/neverUp}）{?firstRun}（速率下次检查时给出）{/firstRun}{?withRates}，{withRates} 个接口入 {inBps:mbit} 出 {outBps:mbit} Mbit/s{/withRates}{?cpuPct}，CPU {cpuPct:0}%{/cpuPct}{?memPct}，内存 {memPct:0}%{/memPct}',
  },
  'network.snmp.problems': { en: '{parts}', zh: '{parts}' },
  'network.snmp.restarted': { en: 'device restarted (up {uptimeSec:dur})', zh: '设备已重启（已运行 {uptimeSec:dur}）' },
  'network.snmp.noInterface': { en: 'no interface matches {patterns}', zh: '没有与 {patterns} 匹配的接口' },
  'network.snmp.noCritical': { en: 'no interface matches criticalInterfaces {patterns}', zh: '没有与关键接口规则 {patterns} 匹配的接口' },
  'network.snmp.criticalDown': { en: '{name} is {state:w} (critical interface)', zh: '关键接口 {name} {state:w}' },
  'network.snmp.linkLostNow': { en: '{name} is {state:w} (link lost since the last poll)', zh: '{name} {state:w}（自上次轮询后断开）' },
  'network.snmp.linkLost': { en: '{name} is {state:w} (link lost {agoSec:dur} ago)', zh: '{name} {state:w}（{agoSec:dur}前断开）' },
  'network.snmp.errors': { en: '{name} {perSec:2} errors+discards/s', zh: '{name} 每秒 {perSec:2} 个错误/丢弃' },
  'network.snmp.manyLost': { en: '{count} links lost: {names} and {more} more', zh: '{count} 条链路断开：{names} 等（另有 {more} 条）' },
  'network.snmp.cpu': { en: 'CPU {pct:0}%', zh: 'CPU {pct:0}%' },
  'network.snmp.memory': { en: 'memory {pct:0}%', zh: '内存 {pct:0}%' },
} as const satisfies Record<string, MessageText>;

export const { say, part } = sayer(NETWORK_TEXTS);
