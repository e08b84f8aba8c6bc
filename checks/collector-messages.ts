import { sayer, type MessageText } from './message-text.js';

/**
 * Texts of the results the collector makes itself about a host (collector/remote/poller.ts, collector/tickets):
 * whether an agentless host answers SSH or SNMP, checks not run because it does not, and a silent agent. They
 * live here, beside the checks' texts, so that one registry (checks/messages.ts) renders every result.
 */
export const COLLECTOR_TEXTS = {
  'remote.ssh.ok': { en: 'logged in as {where}', zh: '已以 {where} 登录' },
  'remote.ssh.refused': { en: 'SSH login as {where} refused: wrong user or key not authorized', zh: '以 {where} 登录 SSH 被拒绝：用户错误或密钥未获授权' },
  'remote.ssh.connRefused': { en: 'SSH to {where}: connection refused (no SSH server on that port?)', zh: 'SSH 连接 {where} 被拒绝（该端口上没有 SSH 服务？）' },
  'remote.ssh.unreachable': { en: 'SSH to {where}: host unreachable ({error})', zh: 'SSH 连接 {where}：主机不可达（{error}）' },
  'remote.ssh.unknownHost': { en: 'SSH to {where}: unknown host name', zh: 'SSH 连接 {where}：主机名无法解析' },
  'remote.ssh.failed': { en: 'SSH to {where} failed: {error}', zh: 'SSH 连接 {where} 失败：{error}' },
  'remote.ssh.hostKeyChanged': {
    en: 'host key of {where} changed (pinned {pinned}, offered {offered}): possible man-in-the-middle; if the host was reinstalled, remove its entry from the known hosts file',
    zh: '{where} 的主机密钥已变化（记录的是 {pinned}，收到的是 {offered}）：可能存在中间人攻击；如主机已重装，请从已知主机文件中删除其条目',
  },
  'remote.ssh.foreignKey': {
    en: "private key of this host is not one of its customer's keys (ssh-keys/<customer>/ in the collector's data folder): an admin must set it again",
    zh: '此主机的私钥不属于其客户的密钥（采集服务器数据目录下的 ssh-keys/<customer>/）：须由管理员重新设置',
  },
  'remote.snmp.ok': { en: 'SNMP answers at {where}', zh: '{where} 有 SNMP 应答' },
  'remote.snmp.noAnswer': { en: 'no SNMP answer from {where} (device down, or wrong community or port)', zh: '{where} 没有 SNMP 应答（设备宕机，或团体名、端口错误）' },
  'remote.snmp.failed': { en: 'SNMP request to {where} failed: {error}', zh: '对 {where} 的 SNMP 请求失败：{error}' },
  /** A check of an agentless host that could not run because the host did not answer; the part says why. */
  'remote.notRun': { en: 'not run: {parts}', zh: '未运行：{parts}' },
  'host.silent': {
    en: 'no data since {since:time} ({intervals} x {intervalSec} s)',
    zh: '自 {since:time} 起没有数据（已超过 {intervals} 个 {intervalSec} 秒的检查周期）',
  },
} as const satisfies Record<string, MessageText>;

export const { say, part } = sayer(COLLECTOR_TEXTS);

/** Titles of the collector's own results, which no check definition names (checks/titles.ts). */
export const COLLECTOR_CHECK_TITLES: Readonly<Record<string, { en: string; zh: string }>> = {
  'remote.ssh': { en: 'SSH reachable', zh: 'SSH 可登录' },
  'remote.snmp': { en: 'SNMP reachable', zh: 'SNMP 可达' },
};
