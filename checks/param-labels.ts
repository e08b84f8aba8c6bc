/**
 * What each check parameter is called on a settings form and in a report's standards, in zh and en, by parameter
 * name (one name means one thing across checks: `warnPct` is the warning level of whatever share the check
 * measures, shown under the check's title). A name that means something else in one check gets an entry in
 * CHECK_PARAM_LABELS (nested by check id: a dotted `check.param` literal would read as a message key to
 * test/words/texts.test.ts). test/assignment/param-form.test.ts fails for a parameter of any check without a label, so
 * a new check cannot reach a form with a bare `fooBar`.
 */
export interface ParamLabel {
  en: string;
  zh: string;
}

export const PARAM_LABELS: Readonly<Record<string, ParamLabel>> = {
  // Thresholds: the warning and critical level of one figure.
  warnPct: { en: 'Warning at (use)', zh: '使用率警告阈值' },
  critPct: { en: 'Critical at (use)', zh: '使用率严重阈值' },
  warnLoadPerCore: { en: 'Warning at (5-min load per core)', zh: '每核负载（5 分钟）警告阈值' },
  critLoadPerCore: { en: 'Critical at (5-min load per core)', zh: '每核负载（5 分钟）严重阈值' },
  swapWarnPct: { en: 'Swap warning at', zh: '交换分区警告阈值' },
  swapCritPct: { en: 'Swap critical at', zh: '交换分区严重阈值' },
  inodeWarnPct: { en: 'Inodes warning at', zh: 'inode 使用率警告阈值' },
  inodeCritPct: { en: 'Inodes critical at', zh: 'inode 使用率严重阈值' },
  warnErrorsPerSec: { en: 'Errors warning at', zh: '错误包警告阈值' },
  critErrorsPerSec: { en: 'Errors critical at', zh: '错误包严重阈值' },
  warnOffsetSec: { en: 'Clock offset warning at', zh: '时钟偏差警告阈值' },
  critOffsetSec: { en: 'Clock offset critical at', zh: '时钟偏差严重阈值' },
  warnAgeHours: { en: 'Age warning at', zh: '文件时长警告阈值' },
  critAgeHours: { en: 'Age critical at', zh: '文件时长严重阈值' },
  warnMinBytes: { en: 'Warning below size (0 = off)', zh: '文件小于此大小时警告（0 = 关闭）' },
  critMinBytes: { en: 'Critical below size', zh: '文件小于此大小时严重' },
  warnCount: { en: 'Warning at count', zh: '数量警告阈值' },
  critCount: { en: 'Critical at count', zh: '数量严重阈值' },
  failedWarnCount: { en: 'Failed logins warning at', zh: '登录失败次数警告阈值' },
  failedCritCount: { en: 'Failed logins critical at', zh: '登录失败次数严重阈值' },
  securityWarnCount: { en: 'Security updates warning at', zh: '安全更新数警告阈值' },
  securityCritCount: { en: 'Security updates critical at', zh: '安全更新数严重阈值' },
  pendingWarnCount: { en: 'Pending updates warning at', zh: '待更新数警告阈值' },
  warnRttMs: { en: 'Round trip warning at', zh: '往返时延警告阈值' },
  critRttMs: { en: 'Round trip critical at', zh: '往返时延严重阈值' },
  warnLossPct: { en: 'Packet loss warning at', zh: '丢包率警告阈值' },
  critLossPct: { en: 'Packet loss critical at', zh: '丢包率严重阈值' },
  warnMs: { en: 'Response time warning at', zh: '响应时间警告阈值' },
  critMs: { en: 'Response time critical at', zh: '响应时间严重阈值' },
  certWarnDays: { en: 'Certificate warning when valid for less than', zh: '证书剩余有效期警告阈值' },
  certCritDays: { en: 'Certificate critical when valid for less than', zh: '证书剩余有效期严重阈值' },
  connWarnPct: { en: 'Connections warning at', zh: '连接数占比警告阈值' },
  connCritPct: { en: 'Connections critical at', zh: '连接数占比严重阈值' },
  longQueryWarnCount: { en: 'Long queries warning at', zh: '长查询数警告阈值' },
  longQueryCritCount: { en: 'Long queries critical at', zh: '长查询数严重阈值' },
  xidAgeWarn: { en: 'Transaction ID age warning at', zh: '事务 ID 年龄警告阈值' },
  xidAgeCrit: { en: 'Transaction ID age critical at', zh: '事务 ID 年龄严重阈值' },
  locksWaitingWarn: { en: 'Waiting locks warning at', zh: '等待锁数警告阈值' },
  locksWaitingCrit: { en: 'Waiting locks critical at', zh: '等待锁数严重阈值' },
  replicationLagWarnSec: { en: 'Replication lag warning at', zh: '复制延迟警告阈值' },
  replicationLagCritSec: { en: 'Replication lag critical at', zh: '复制延迟严重阈值' },
  replicaLagWarnSec: { en: 'Replica lag warning at', zh: '从库延迟警告阈值' },
  replicaLagCritSec: { en: 'Replica lag critical at', zh: '从库延迟严重阈值' },
  slowWarnPerMin: { en: 'Slow queries warning at', zh: '慢查询警告阈值' },
  slowCritPerMin: { en: 'Slow queries critical at', zh: '慢查询严重阈值' },
  abortedWarnPerMin: { en: 'Aborted connections warning at', zh: '中断连接警告阈值' },
  abortedCritPerMin: { en: 'Aborted connections critical at', zh: '中断连接严重阈值' },
  bufferPoolHitWarnPct: { en: 'Buffer pool hit rate warning below', zh: '缓冲池命中率低于此值警告' },
  bufferPoolHitCritPct: { en: 'Buffer pool hit rate critical below', zh: '缓冲池命中率低于此值严重' },
  memWarnPct: { en: 'Memory warning at', zh: '内存使用率警告阈值' },
  memCritPct: { en: 'Memory critical at', zh: '内存使用率严重阈值' },
  cpuWarnPct: { en: 'CPU warning at', zh: 'CPU 使用率警告阈值' },
  cpuCritPct: { en: 'CPU critical at', zh: 'CPU 使用率严重阈值' },
  evictedWarnPerMin: { en: 'Evicted keys warning at', zh: '淘汰键数警告阈值' },
  evictedCritPerMin: { en: 'Evicted keys critical at', zh: '淘汰键数严重阈值' },
  rejectedWarnPerMin: { en: 'Rejected connections warning at', zh: '拒绝连接数警告阈值' },
  rejectedCritPerMin: { en: 'Rejected connections critical at', zh: '拒绝连接数严重阈值' },
  pingWarnMs: { en: 'PING time warning at', zh: 'PING 时延警告阈值' },
  pingCritMs: { en: 'PING time critical at', zh: 'PING 时延严重阈值' },
  rebootWarnMinutes: { en: 'Warn for this long after a reboot', zh: '重启后警告持续时间' },
  longQuerySec: { en: 'A query counts as long after', zh: '查询超过此时长算长查询' },
  minReplicas: { en: 'Fewest replicas', zh: '最少从库数' },
  bufferPoolMinRequests: { en: 'Judge the hit rate from this many reads', zh: '读请求达到此数才判断命中率' },
  missingStatus: { en: 'Status when missing', zh: '文件不存在时的状态' },
  linkLostStatus: { en: 'Status when a link goes down', zh: '链路断开时的状态' },
  // Switches.
  includeLoopback: { en: 'Include loopback', zh: '包含回环接口' },
  ignoreCase: { en: 'Ignore case', zh: '忽略大小写' },
  readExistingOnFirstRun: { en: 'Read existing lines on the first run', zh: '首次运行时读取已有内容' },
  verifyTls: { en: 'Verify the TLS certificate', zh: '校验 TLS 证书' },
  checkReplica: { en: 'Check replication', zh: '检查复制状态' },
  tls: { en: 'TLS', zh: 'TLS 加密' },
  // Where and what: addresses, programs, files.
  host: { en: 'Host or address', zh: '主机或地址' },
  port: { en: 'Port', zh: '端口' },
  url: { en: 'URL', zh: 'URL 地址' },
  method: { en: 'HTTP method', zh: 'HTTP 方法' },
  headers: { en: 'Request headers', zh: '请求头' },
  expectStatus: { en: 'Expected status codes', zh: '期望的状态码' },
  bodyRegex: { en: 'Body must match (regex)', zh: '响应内容须匹配（正则）' },
  maxBodyBytes: { en: 'Largest body read', zh: '最多读取的响应大小' },
  name: { en: 'Name to resolve', zh: '要解析的域名' },
  type: { en: 'Record type', zh: '记录类型' },
  server: { en: 'Server', zh: '服务器' },
  expect: { en: 'Expected answers', zh: '期望的解析结果' },
  count: { en: 'Pings per run', zh: '每次发送的 ping 数' },
  replyTimeoutSec: { en: 'Reply timeout', zh: '应答超时' },
  intervalSec: { en: 'Interval between pings', zh: 'ping 间隔' },
  timeoutMs: { en: 'Timeout', zh: '超时' },
  timeoutSec: { en: 'Timeout', zh: '超时' },
  reference: { en: 'Compare the clock with', zh: '时钟对比基准' },
  command: { en: 'Command', zh: '命令' },
  args: { en: 'Arguments', zh: '参数' },
  env: { en: 'Environment', zh: '环境变量' },
  processes: { en: 'Processes', zh: '进程' },
  services: { en: 'Services', zh: '服务' },
  ports: { en: 'Ports that must listen', zh: '须监听的端口' },
  path: { en: 'Path', zh: '路径' },
  dir: { en: 'Folder', zh: '目录' },
  pattern: { en: 'Pattern (regex)', zh: '匹配模式（正则）' },
  encoding: { en: 'Encoding', zh: '字符编码' },
  maxReadBytes: { en: 'Most read per run', zh: '每次最多读取' },
  maxLinesInDetails: { en: 'Lines kept in the details', zh: '详情中保留的行数' },
  mounts: { en: 'Only these mount points', zh: '仅检查这些挂载点' },
  ignoreMounts: { en: 'Ignore mount points', zh: '忽略的挂载点' },
  expectUp: { en: 'Interfaces that must be up', zh: '须处于启用状态的接口' },
  packages: { en: 'Packages to list', zh: '要列出的软件包' },
  passwd: { en: 'passwd file', zh: 'passwd 文件' },
  shadow: { en: 'shadow file', zh: 'shadow 文件' },
  authLog: { en: 'Authentication log', zh: '认证日志' },
  failedPattern: { en: 'Failed login pattern (regex)', zh: '登录失败匹配模式（正则）' },
  manager: { en: 'Package manager', zh: '包管理器' },
  user: { en: 'User', zh: '用户名' },
  username: { en: 'User', zh: '用户名' },
  password: { en: 'Password (not stored here: use passwordEnv)', zh: '密码（不在此保存：请用 passwordEnv）' },
  passwordEnv: { en: 'Password from environment variable', zh: '密码所在环境变量' },
  database: { en: 'Database', zh: '数据库' },
  ssl: { en: 'SSL mode', zh: 'SSL 模式' },
  testQuery: { en: 'Test query', zh: '测试查询' },
  community: { en: 'SNMP community', zh: 'SNMP 团体名' },
  retries: { en: 'Retries', zh: '重试次数' },
  interfaces: { en: 'Only these interfaces', zh: '仅检查这些接口' },
  excludeInterfaces: { en: 'Ignore interfaces', zh: '忽略的接口' },
  criticalInterfaces: { en: 'Interfaces that must stay up', zh: '必须保持连通的接口' },
};

/** Names that mean something else in one check, by check id, then name. */
export const CHECK_PARAM_LABELS: Readonly<Record<string, Readonly<Record<string, ParamLabel>>>> = {
  'system.clock': {
    server: { en: 'NTP server', zh: 'NTP 服务器' },
    port: { en: 'NTP port', zh: 'NTP 端口' },
  },
  'network.dns': {
    server: { en: 'DNS server (empty: the system resolver)', zh: 'DNS 服务器（留空：使用系统解析器）' },
  },
  'system.log-pattern': {
    warnCount: { en: 'Matching lines warning at', zh: '匹配行数警告阈值' },
    critCount: { en: 'Matching lines critical at', zh: '匹配行数严重阈值' },
  },
  'system.zombies': {
    warnCount: { en: 'Zombie processes warning at', zh: '僵尸进程数警告阈值' },
    critCount: { en: 'Zombie processes critical at', zh: '僵尸进程数严重阈值' },
  },
  'system.fds': {
    warnPct: { en: 'File descriptors warning at', zh: '文件描述符使用率警告阈值' },
    critPct: { en: 'File descriptors critical at', zh: '文件描述符使用率严重阈值' },
  },
  'system.cpu': {
    warnPct: { en: 'CPU warning at', zh: 'CPU 使用率警告阈值' },
    critPct: { en: 'CPU critical at', zh: 'CPU 使用率严重阈值' },
  },
  'system.memory': {
    warnPct: { en: 'Memory warning at', zh: '内存使用率警告阈值' },
    critPct: { en: 'Memory critical at', zh: '内存使用率严重阈值' },
  },
  'system.disk': {
    warnPct: { en: 'Disk use warning at', zh: '磁盘使用率警告阈值' },
    critPct: { en: 'Disk use critical at', zh: '磁盘使用率严重阈值' },
  },
};

/** The label of one parameter of one check; undefined when none is written (the test makes that a failure). */
export function paramLabel(checkId: string, name: string): ParamLabel | undefined {
  return CHECK_PARAM_LABELS[checkId]?.[name] ?? PARAM_LABELS[name];
}

/** Units of names whose suffix does not say it (Minutes, Hours, PerMin read fine as they are). */
const UNIT_BY_NAME: Readonly<Record<string, string>> = {
  maxBodyBytes: 'bytes',
  maxReadBytes: 'bytes',
  longQuerySec: 's',
};

/** Suffix of a parameter name -> the unit its number is in, first match wins. */
const UNIT_SUFFIXES: ReadonlyArray<readonly [RegExp, string]> = [
  [/PerSec$/, '/s'],
  [/PerMin$/, '/min'],
  [/Pct$/, '%'],
  [/Ms$/, 'ms'],
  [/Sec$/, 's'],
  [/Minutes$/, 'min'],
  [/Hours$/, 'h'],
  [/Days$/, 'd'],
  [/Bytes$/, 'bytes'],
];

/** The unit a number parameter is given in ('' when it is a plain count or ratio). */
export function paramUnit(name: string): string {
  if (UNIT_BY_NAME[name]) return UNIT_BY_NAME[name];
  return UNIT_SUFFIXES.find(([re]) => re.test(name))?.[1] ?? '';
}

const UNIT_ZH: Readonly<Record<string, string>> = { bytes: '字节', d: '天', h: '小时', min: '分钟', '/min': '/分钟', s: '秒' };

/** A unit as a reader of the language sees it ('%', 'ms' and '/s' read the same in both). */
export function unitText(unit: string, lang: 'zh' | 'en'): string {
  return lang === 'zh' ? UNIT_ZH[unit] ?? unit : unit;
}
