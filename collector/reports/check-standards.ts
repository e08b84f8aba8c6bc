import type { ReportLang } from './model.js';
import { thresholds } from '../assignment/effective-params.js';

/**
 * The "检查标准" column of a host's checklist: what a check holds a host to, stated from the thresholds it
 * actually runs with (the assigned parameters over the check's defaults). Only numbers and true/false are
 * ever read (thresholdsOnly): commands, addresses and secrets never reach a report.
 */

export type ChecklistCategory = 'system' | 'database' | 'network' | 'security' | 'backup' | 'logs' | 'other';

/** Which part of the inspection a check type belongs to (the checklist is ordered by it). */
export function categoryOf(checkId: string): ChecklistCategory {
  if (checkId.startsWith('db.')) return 'database';
  if (checkId.startsWith('network.')) return 'network';
  if (checkId === 'system.file') return 'backup';
  if (checkId === 'system.log-pattern') return 'logs';
  if (checkId === 'system.listening-ports' || checkId === 'system.clock' || checkId === 'system.accounts' || checkId === 'system.updates') return 'security';
  if (checkId.startsWith('system.')) return 'system';
  return 'other';
}

export const CATEGORY_ORDER: readonly ChecklistCategory[] = ['system', 'database', 'network', 'security', 'backup', 'logs', 'other'];

type P = Record<string, number | boolean | undefined>;
type Std = (p: P) => { zh: string; en: string };

const range = (warn: unknown, crit: unknown, unit: string, zhWhat: string, enWhat: string, lower = false) => ({
  zh: lower ? `${zhWhat} ≥ ${warn}${unit} 正常；< ${warn}${unit} 关注；< ${crit}${unit} 异常` : `${zhWhat} < ${warn}${unit} 正常；≥ ${warn}${unit} 关注；≥ ${crit}${unit} 异常`,
  en: lower ? `${enWhat} ≥ ${warn}${unit} normal; < ${warn}${unit} attention; < ${crit}${unit} abnormal` : `${enWhat} < ${warn}${unit} normal; ≥ ${warn}${unit} attention; ≥ ${crit}${unit} abnormal`,
});
const join = (...parts: Array<{ zh: string; en: string }>) => ({ zh: parts.map((p) => p.zh).join('；'), en: parts.map((p) => p.en).join('; ') });

const STANDARDS: Record<string, Std> = {
  'system.cpu': (p) => join(range(p.warnPct, p.critPct, '%', 'CPU 使用率', 'CPU use'), { zh: `每核负载 < ${p.warnLoadPerCore}`, en: `load per core < ${p.warnLoadPerCore}` }),
  'system.memory': (p) => join(range(p.warnPct, p.critPct, '%', '内存使用率', 'memory use'), { zh: `交换分区 < ${p.swapWarnPct}%`, en: `swap < ${p.swapWarnPct}%` }),
  'system.disk': (p) => join(range(p.warnPct, p.critPct, '%', '各文件系统使用率', 'each file system'), { zh: `inode < ${p.inodeWarnPct}%`, en: `inodes < ${p.inodeWarnPct}%` }),
  'system.network': (p) => range(p.warnErrorsPerSec, p.critErrorsPerSec, '/s', '网卡错误包', 'interface errors'),
  'system.uptime': (p) => ({ zh: `${p.rebootWarnMinutes} 分钟内无意外重启`, en: `no unplanned reboot in the last ${p.rebootWarnMinutes} min` }),
  'system.process': () => ({ zh: '指定进程均在运行', en: 'the listed processes run' }),
  'system.service': () => ({ zh: '指定服务均处于运行状态', en: 'the listed services are running' }),
  'system.listening-ports': () => ({ zh: '监听端口与登记的基线一致', en: 'listening ports match the recorded baseline' }),
  'system.clock': (p) => ({
    zh: `时钟偏差 < ${p.warnOffsetSec} 秒正常；≥ ${p.warnOffsetSec} 秒关注；≥ ${p.critOffsetSec} 秒异常`,
    en: `clock offset < ${p.warnOffsetSec} s normal; ≥ ${p.warnOffsetSec} s attention; ≥ ${p.critOffsetSec} s abnormal`,
  }),
  'system.file': (p) => ({ zh: `备份文件存在，更新时间 < ${p.warnAgeHours} 小时（≥ ${p.critAgeHours} 小时为异常）`, en: `backup file present, written < ${p.warnAgeHours} h ago (≥ ${p.critAgeHours} h abnormal)` }),
  'system.log-pattern': (p) => ({ zh: `日志中错误关键字 < ${p.warnCount ?? 1} 次`, en: `error lines in the log < ${p.warnCount ?? 1}` }),
  'system.fds': (p) => range(p.warnPct, p.critPct, '%', '文件描述符使用率', 'file descriptors in use'),
  'system.zombies': (p) => range(p.warnCount, p.critCount, '', '僵尸进程数', 'zombie processes'),
  'system.accounts': (p) => ({
    zh: `无 root 以外的 UID 0 账号、无空密码账号；每次间隔登录失败 < ${p.failedWarnCount} 次（≥ ${p.failedCritCount} 次异常）`,
    en: `no UID 0 account besides root, no account without a password; failed log-ins per interval < ${p.failedWarnCount} (≥ ${p.failedCritCount} abnormal)`,
  }),
  'system.updates': (p) => ({
    zh: `待安装安全更新 < ${p.securityWarnCount} 个正常；≥ ${p.securityWarnCount} 个关注；≥ ${p.securityCritCount} 个异常`,
    en: `pending security updates < ${p.securityWarnCount} normal; ≥ ${p.securityWarnCount} attention; ≥ ${p.securityCritCount} abnormal`,
  }),
  'network.ping': (p) => join(range(p.warnLossPct, p.critLossPct, '%', '丢包率', 'packet loss'), { zh: `时延 < ${p.warnRttMs} ms`, en: `round trip < ${p.warnRttMs} ms` }),
  'network.tcp': (p) => ({ zh: `端口可连接，连接时间 < ${p.warnMs} ms`, en: `port answers within ${p.warnMs} ms` }),
  'network.http': (p) => ({ zh: `服务可访问，响应 < ${p.warnMs} ms，证书剩余 > ${p.certWarnDays} 天`, en: `answers within ${p.warnMs} ms, certificate valid > ${p.certWarnDays} days` }),
  'network.dns': (p) => ({ zh: `域名可解析，解析时间 < ${p.warnMs} ms`, en: `name resolves within ${p.warnMs} ms` }),
  'network.snmp': (p) => join(range(p.cpuWarnPct, p.cpuCritPct, '%', '设备 CPU', 'device CPU'), { zh: `内存 < ${p.memWarnPct}%，关键端口在线`, en: `memory < ${p.memWarnPct}%, key ports up` }),
  'db.postgres': (p) => join({ zh: '数据库可连接', en: 'database answers' }, range(p.connWarnPct, p.connCritPct, '%', '连接数', 'connections'), { zh: `复制延迟 < ${p.replicationLagWarnSec} 秒`, en: `replication lag < ${p.replicationLagWarnSec} s` }),
  'db.mysql': (p) => join({ zh: '数据库可连接', en: 'database answers' }, range(p.connWarnPct, p.connCritPct, '%', '连接数', 'connections'), { zh: `复制延迟 < ${p.replicaLagWarnSec} 秒`, en: `replica lag < ${p.replicaLagWarnSec} s` }),
  'db.redis': (p) => join({ zh: '实例可连接', en: 'instance answers' }, range(p.memWarnPct, p.memCritPct, '%', '内存使用率', 'memory use')),
  'script.nagios': () => ({ zh: '插件返回 OK（退出码 0）', en: 'the plugin returns OK (exit code 0)' }),
};

/** The standard a check holds its host to, in the report's language. */
export function checkStandard(checkId: string, assigned: Readonly<Record<string, unknown>>, lang: ReportLang): string {
  const std = STANDARDS[checkId];
  if (!std) return lang === 'zh' ? '检查结果为正常' : 'the check reports OK';
  return std(thresholds(checkId, assigned))[lang];
}
