import type { Finding, HostSection, ReportLang, RiskLevel } from './model.js';
import { figureKey } from './host-figures.js';
import { MYSQL, POSTGRES, REDIS } from '../../checks/database/metrics.js';

/**
 * The rules that turn figures into findings, each with a risk level and a recommendation. Thresholds are
 * the ones the contract and common practice use; they are named here so the report can state them.
 */
export const RULES = {
  diskWarnPct: 80,
  diskCritPct: 90,
  /** Full within this many days (linear fit) is a finding; within the shorter one it is high risk. */
  diskFullDays: 90,
  diskFullDaysHigh: 30,
  certDays: 30,
  certDaysHigh: 7,
  replicationLagSec: 60,
  replicationLagSecHigh: 600,
  rebootsMedium: 2,
  rebootsHigh: 5,
  /** Swap use averaged over the period (a host living in swap, not a passing peak). */
  swapMeanPct: 50,
  swapMeanPctHigh: 80,
  memoryP95Pct: 90,
  cpuP95Pct: 90,
  netErrorsPerSec: 1,
  availabilityPct: 99.9,
  slaShareHigh: 0.8,
} as const;

type Text = { title: string; detail: string; recommendation: string };

/** The check type whose cause a figure rule names: its not-OK state makes no second finding. */
const RULE_CHECKS: Record<string, string> = { cpu: 'system.cpu', memory: 'system.memory', swap: 'system.memory', 'network-errors': 'system.network' };
type Bi = Record<ReportLang, Text>;

const f1 = (n: number | null | undefined) => (n === null || n === undefined ? '-' : (Math.round(n * 10) / 10).toString());
const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

export interface FindingInput {
  hosts: readonly HostSection[];
  tickets: { missed: Array<{ number: string; severity: string; hostName: string }>; slaMetShare: number | null };
}

/** Every finding, ordered high risk first, then by host and rule. */
export function evaluateFindings(input: FindingInput, lang: ReportLang): Omit<Finding, 'remark'>[] {
  const out: Omit<Finding, 'remark'>[] = [];
  const add = (id: string, rule: string, risk: RiskLevel, host: HostSection | null, text: Bi) =>
    out.push({ id, rule, risk, hostId: host?.hostId ?? null, hostName: host?.name ?? '', ...text[lang] });

  for (const h of input.hosts) {
    // One cause, one finding: a host that could not be reached is one finding (with its unreachable time and
    // availability), never one per check whose results it could not send.
    const unreachable = !h.reachableAtInspection || h.unreachableAtEnd;
    if (unreachable) {
      const avail = h.availabilityPct === null ? '-' : `${h.availabilityPct.toFixed(3)}%`;
      const min = Math.round(h.downMinutes);
      add(`unreachable:${h.hostId}`, 'unreachable', 'high', h, {
        zh: {
          title: '主机不可达',
          detail: `${h.reachableAtInspection ? '' : `巡检时未能从主机 ${h.name} 获得最新检查结果；`}本期不可达累计 ${min} 分钟，可用性 ${avail}${h.unreachableAtEnd ? '；报告生成时仍处于失联状态' : ''}。`,
          recommendation: '检查主机电源与网络连通性，确认监控代理（patrol-agent）进程在运行；恢复后补做巡检，并复盘失联原因。',
        },
        en: {
          title: 'Host not reachable',
          detail: `${h.reachableAtInspection ? '' : `No fresh check results came from ${h.name} at inspection time; `}unreachable ${min} min in the period, availability ${avail}${h.unreachableAtEnd ? '; still unreachable when the report was made' : ''}.`,
          recommendation: 'Check the host\'s power and network path and that the monitoring agent (patrol-agent) runs; repeat the inspection once it is back and review why it was lost.',
        },
      });
    }
    for (const d of h.disks) {
      const over = d.usedPct !== null && d.usedPct > RULES.diskWarnPct;
      const soon = d.daysUntilFull !== null && d.daysUntilFull <= RULES.diskFullDays;
      if (!over && !soon) continue;
      const high = (d.usedPct !== null && d.usedPct > RULES.diskCritPct) || (d.daysUntilFull !== null && d.daysUntilFull <= RULES.diskFullDaysHigh);
      const days = d.daysUntilFull === null ? null : Math.round(d.daysUntilFull);
      add(`disk:${h.hostId}:${d.mount}`, 'disk', high ? 'high' : 'medium', h, {
        zh: {
          title: `磁盘 ${d.mount} 空间不足风险`,
          detail: `当前使用率 ${f1(d.usedPct)}%，日增长 ${f1(d.growthPctPerDay)} 个百分点${days === null ? '' : `，按线性趋势约 ${days} 天后写满`}。`,
          recommendation: '清理或归档历史数据，必要时扩容该文件系统。',
        },
        en: {
          title: `Disk ${d.mount} running out of space`,
          detail: `Used ${f1(d.usedPct)}%, growing ${f1(d.growthPctPerDay)} points a day${days === null ? '' : `; full in about ${days} days on the linear trend`}.`,
          recommendation: 'Clean up or archive old data; extend the file system if needed.',
        },
      });
    }
    for (const c of h.certificates) {
      if (c.daysLeft === null || c.daysLeft > RULES.certDays) continue;
      add(`cert:${h.hostId}:${c.url}`, 'certificate', c.daysLeft <= RULES.certDaysHigh ? 'high' : 'medium', h, {
        zh: { title: `证书即将过期：${c.url}`, detail: `证书剩余 ${f1(c.daysLeft)} 天。`, recommendation: '尽快续期并部署新证书。' },
        en: { title: `Certificate expiring: ${c.url}`, detail: `${f1(c.daysLeft)} days left.`, recommendation: 'Renew and deploy the certificate now.' },
      });
    }
    for (const db of h.databases) {
      const lag = Math.max(
        db.figures[figureKey(POSTGRES, 'replication_lag_sec', 'max')] ?? 0,
        db.figures[figureKey(MYSQL, 'seconds_behind', 'max')] ?? 0,
        db.figures[figureKey(REDIS, 'master_last_io_sec', 'max')] ?? 0,
      );
      if (lag <= RULES.replicationLagSec) continue;
      add(`replication:${h.hostId}:${db.name}`, 'replication-lag', lag > RULES.replicationLagSecHigh ? 'high' : 'medium', h, {
        zh: { title: `数据库复制延迟：${db.name}`, detail: `本期最大复制延迟 ${f1(lag)} 秒。`, recommendation: '检查主备网络与备库负载，确认复制链路正常。' },
        en: { title: `Replication lag: ${db.name}`, detail: `Largest replication lag in the period: ${f1(lag)} s.`, recommendation: 'Check the primary-replica network and the replica load; confirm replication is healthy.' },
      });
    }
    for (const b of h.backups) {
      if (b.status === 'OK') continue;
      add(`backup:${h.hostId}:${b.path}`, 'backup', b.status === 'CRITICAL' ? 'high' : 'medium', h, {
        zh: { title: `备份文件过旧或缺失：${b.path}`, detail: `${b.summary}${b.ageHours === null ? '' : `（距上次更新 ${f1(b.ageHours)} 小时）`}`, recommendation: '检查备份任务日志，确认备份按计划完成。' },
        en: { title: `Backup older than its schedule: ${b.path}`, detail: `${b.summary}${b.ageHours === null ? '' : ` (${f1(b.ageHours)} h since the last write)`}`, recommendation: 'Check the backup job and its log; make sure it runs on schedule.' },
      });
    }
    if (h.reboots >= 1) {
      const risk: RiskLevel = h.reboots >= RULES.rebootsHigh ? 'high' : h.reboots >= RULES.rebootsMedium ? 'medium' : 'low';
      add(`reboots:${h.hostId}`, 'reboots', risk, h, {
        zh: { title: '主机重启', detail: `本期检测到 ${h.reboots} 次重启。`, recommendation: risk === 'low' ? '确认重启为计划内操作。' : '排查反复重启原因（内核日志、电源、硬件）。' },
        en: { title: 'Host reboots', detail: `${h.reboots} reboots seen in the period.`, recommendation: risk === 'low' ? 'Confirm the reboot was planned.' : 'Find the cause of the repeated reboots (kernel log, power, hardware).' },
      });
    }
    if (h.swap.mean !== null && h.swap.mean > RULES.swapMeanPct) {
      add(`swap:${h.hostId}`, 'swap', h.swap.mean > RULES.swapMeanPctHigh ? 'high' : 'medium', h, {
        zh: { title: '交换分区压力', detail: `交换分区平均使用率 ${f1(h.swap.mean)}%，最大 ${f1(h.swap.max)}%。`, recommendation: '排查内存占用大的进程，考虑增加内存。' },
        en: { title: 'Swap pressure', detail: `Swap use ${f1(h.swap.mean)}% on average, max ${f1(h.swap.max)}%.`, recommendation: 'Find the processes holding memory; consider adding RAM.' },
      });
    }
    if (h.memory.p95 !== null && h.memory.p95 > RULES.memoryP95Pct) {
      add(`memory:${h.hostId}`, 'memory', 'medium', h, {
        zh: { title: '内存使用率高', detail: `内存使用率 P95 ${f1(h.memory.p95)}%。`, recommendation: '评估业务增长，规划扩容。' },
        en: { title: 'High memory use', detail: `Memory use p95 ${f1(h.memory.p95)}%.`, recommendation: 'Review the growth of the workload and plan more memory.' },
      });
    }
    if (h.cpu.p95 !== null && h.cpu.p95 > RULES.cpuP95Pct) {
      add(`cpu:${h.hostId}`, 'cpu', 'medium', h, {
        zh: { title: 'CPU 使用率高', detail: `CPU 使用率 P95 ${f1(h.cpu.p95)}%。`, recommendation: '排查高负载进程，规划扩容或负载分担。' },
        en: { title: 'High CPU use', detail: `CPU use p95 ${f1(h.cpu.p95)}%.`, recommendation: 'Find the busy processes; plan more capacity or spread the load.' },
      });
    }
    for (const n of h.network) {
      if (n.errorsPerSecMax === null || n.errorsPerSecMax <= RULES.netErrorsPerSec) continue;
      add(`net:${h.hostId}:${n.iface}`, 'network-errors', (n.errorsPerSecMean ?? 0) > RULES.netErrorsPerSec ? 'medium' : 'low', h, {
        zh: { title: `网卡错误包：${n.iface}`, detail: `错误包平均 ${f1(n.errorsPerSecMean)}/秒，最大 ${f1(n.errorsPerSecMax)}/秒。`, recommendation: '检查网线、光模块与交换机端口。' },
        en: { title: `Interface errors: ${n.iface}`, detail: `Errors ${f1(n.errorsPerSecMean)}/s on average, ${f1(n.errorsPerSecMax)}/s at most.`, recommendation: 'Check cabling, optics and the switch port.' },
      });
    }
    if (!unreachable && h.availabilityPct !== null && h.availabilityPct < RULES.availabilityPct) {
      add(`availability:${h.hostId}`, 'availability', 'medium', h, {
        zh: { title: '可用性低于目标', detail: `本期可用性 ${h.availabilityPct.toFixed(3)}%（不可达 ${Math.round(h.downMinutes)} 分钟）。`, recommendation: '复盘本期故障，落实预防措施。' },
        en: { title: 'Availability below target', detail: `Availability ${h.availabilityPct.toFixed(3)}% (${Math.round(h.downMinutes)} min unreachable).`, recommendation: 'Review the period\'s faults and follow up the prevention actions.' },
      });
    }
    // Checks whose cause a rule above already names (disk space, backups, reboots), and every check of a host
    // that could not be reached (its results are stale, the cause is the host), make no finding of their own.
    const covered = new Set(['system.disk', 'system.file', 'system.uptime', 'system.inventory']);
    const mine = out.filter((f) => f.hostId === h.hostId);
    const named = new Set(mine.map((f) => f.id.split(':').slice(2).join(':')));
    // A figure rule that fired (CPU p95, memory, swap, interface errors) already is the finding of that check's cause.
    const byFigures = new Set(mine.map((f) => RULE_CHECKS[f.rule]).filter((x): x is string => x !== undefined));
    for (const c of unreachable ? [] : h.checks) {
      if (c.status === 'OK' || covered.has(c.checkId) || named.has(c.name) || byFigures.has(c.checkId)) continue;
      const risk: RiskLevel = c.status === 'CRITICAL' ? 'high' : c.status === 'WARNING' ? 'medium' : 'low';
      const row = h.checklist.find((r) => r.checkId === c.checkId && r.result === c.summary);
      const item = row?.item ?? c.name;
      const advice = checkAdvice(c.checkId, c.name);
      const statusZh = { WARNING: '需关注', CRITICAL: '异常', UNKNOWN: '无法判定' }[c.status] ?? c.status;
      add(`check:${h.hostId}:${c.name}`, 'check-state', risk, h, {
        zh: { title: `${item}${statusZh}`, detail: c.summary, recommendation: advice.zh },
        en: { title: `${item}: ${c.status === 'WARNING' ? 'needs attention' : c.status === 'CRITICAL' ? 'failing' : 'could not be judged'}`, detail: c.summary, recommendation: advice.en },
      });
    }
  }

  const { missed, slaMetShare } = input.tickets;
  if (missed.length) {
    const list = missed.map((m) => m.number).join(', ');
    add('sla:missed', 'sla', slaMetShare !== null && slaMetShare < RULES.slaShareHigh ? 'high' : 'medium', null, {
      zh: { title: '服务水平未达标', detail: `${missed.length} 张工单未达到响应或恢复时限（${list}）；达标率 ${slaMetShare === null ? '-' : pct(slaMetShare)}。`, recommendation: '复盘超时工单，调整值班与升级安排。' },
      en: { title: 'Service-level targets missed', detail: `${missed.length} tickets missed their response or restore target (${list}); share met ${slaMetShare === null ? '-' : pct(slaMetShare)}.`, recommendation: 'Review the late tickets; adjust on-call and escalation.' },
    });
  }

  const rank: Record<RiskLevel, number> = { high: 0, medium: 1, low: 2 };
  return out.sort((a, b) => rank[a.risk] - rank[b.risk] || a.hostName.localeCompare(b.hostName) || a.id.localeCompare(b.id));
}

/** What to do about a check that is not OK, by what the check looks at (never one sentence for all). */
export function checkAdvice(checkId: string, name: string): { zh: string; en: string } {
  switch (checkId) {
    case 'system.cpu':
      return { zh: '排查占用 CPU 高的进程（top、pidstat），确认是否为业务高峰；持续偏高时评估扩容或分担负载。', en: 'Find the processes using the CPU (top, pidstat) and whether it is a business peak; if it stays high, plan more capacity or spread the load.' };
    case 'system.memory':
      return { zh: '排查内存占用大的进程并确认有无内存泄漏；持续偏高时评估增加内存。', en: 'Find the processes holding memory and check for leaks; if it stays high, plan more memory.' };
    case 'system.network':
      return { zh: '检查该网卡的网线、光模块与交换机端口错误计数，必要时更换。', en: 'Check the interface\'s cable, optics and the switch port counters; replace what is faulty.' };
    case 'system.process':
      return { zh: '查看应用日志确认进程退出原因，按运维手册重新拉起，并配置进程守护。', en: 'Read the application log for why the process ended, start it again as the runbook says, and put it under a supervisor.' };
    case 'system.service':
      return { zh: '用 systemctl status 与 journalctl 查看服务状态和日志，修复后启动服务并设为开机自启。', en: 'Read the service state and log (systemctl status, journalctl), fix the cause, start it and enable it at boot.' };
    case 'system.listening-ports':
      return { zh: '核对新增或消失的监听端口是否为计划内变更；非计划端口须查明对应进程并关闭，必要时更新基线。', en: 'Check that the ports that appeared or disappeared were planned; find and stop unplanned listeners, then update the baseline.' };
    case 'system.clock':
      return { zh: '检查 NTP/chrony 服务及到时间服务器的网络，校准系统时间。', en: 'Check the NTP/chrony service and the path to the time server; correct the clock.' };
    case 'system.log-pattern':
      return { zh: `查看日志 ${name} 中匹配的错误条目，定位产生错误的模块并处理。`, en: `Read the matching error lines in ${name}, find the module that logs them and fix it.` };
    case 'system.fds':
      return { zh: '排查打开文件描述符最多的进程（lsof），修复句柄泄漏，必要时调高 ulimit。', en: 'Find the processes with the most open files (lsof), fix handle leaks, raise ulimit if needed.' };
    case 'system.zombies':
      return { zh: '找到僵尸进程的父进程，修复其子进程回收逻辑或重启父进程。', en: 'Find the zombies\' parent process; fix how it reaps children or restart it.' };
    case 'system.accounts':
      return { zh: '核实 root 以外 UID 为 0 的账号与空密码账号是否为授权设置，非授权的立即锁定或删除；登录失败多时查看认证日志的来源地址，必要时封禁来源地址并启用登录失败自动封禁。', en: 'Check that UID 0 accounts besides root and accounts without a password were authorised; lock or remove the others at once. For many failed log-ins, read the source addresses in the auth log and block them (fail2ban).' };
    case 'system.updates':
      return { zh: '在维护窗口内安装待装的安全更新，需要时重启相关服务或主机。', en: 'Install the pending security updates in a maintenance window (apt-get upgrade or dnf update --security); restart the services or the host as they require.' };
    case 'network.ping':
      return { zh: '检查目标设备状态与沿途网络链路的丢包和时延。', en: 'Check the target device and the network path for loss and delay.' };
    case 'network.tcp':
      return { zh: '确认目标服务进程在运行、端口在监听，并检查防火墙策略。', en: 'Make sure the service runs and listens on the port; check the firewall rules.' };
    case 'network.http':
      return { zh: '检查 Web 服务进程、后端依赖与返回状态码，必要时查看访问与错误日志。', en: 'Check the web server, its backends and the status code it returns; read its access and error logs.' };
    case 'network.dns':
      return { zh: '检查 DNS 服务器状态与该域名的解析记录。', en: 'Check the DNS server and the name\'s records.' };
    case 'network.snmp':
      return { zh: '登录网络设备检查 CPU、内存与端口状态，查看设备日志。', en: 'Log in to the device; check its CPU, memory, ports and log.' };
    case 'db.postgres':
    case 'db.mysql':
    case 'db.redis':
      return { zh: '检查数据库实例运行状态、连接数与错误日志，确认主备复制正常。', en: 'Check the database instance, its connections and error log, and that replication is healthy.' };
    case 'script.nagios':
      return { zh: `按插件 ${name} 的输出处理其报告的问题，处理后复查。`, en: `Act on what plugin ${name} reports, then check again.` };
    default:
      return { zh: `按 ${name} 报告的问题处理，处理后复查。`, en: `Act on what ${name} reports, then check again.` };
  }
}
