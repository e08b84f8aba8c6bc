import { declareMeasurement } from '../metric-declaration.js';

/** What the system checks write (system.cpu, system.memory, system.disk, system.network, system.uptime, system.file). */

export const CPU = declareMeasurement('cpu', {
  usage_pct: { unit: 'percent', en: 'CPU busy', zh: 'CPU 使用率' },
  user_pct: { unit: 'percent', en: 'CPU user', zh: 'CPU 用户态' },
  system_pct: { unit: 'percent', en: 'CPU system', zh: 'CPU 内核态' },
  iowait_pct: { unit: 'percent', en: 'CPU I/O wait', zh: 'CPU I/O 等待' },
  load1: { unit: 'load', en: 'Load (1 min)', zh: '负载（1 分钟）' },
  load5: { unit: 'load', en: 'Load (5 min)', zh: '负载（5 分钟）' },
  load15: { unit: 'load', en: 'Load (15 min)', zh: '负载（15 分钟）' },
  cores: { unit: 'count', en: 'CPU cores', zh: 'CPU 核数' },
});

export const MEM = declareMeasurement('mem', {
  total_bytes: { unit: 'bytes', en: 'Memory size', zh: '内存总量' },
  available_bytes: { unit: 'bytes', en: 'Memory available', zh: '可用内存' },
  used_bytes: { unit: 'bytes', en: 'Memory used', zh: '已用内存' },
  used_pct: { unit: 'percent', en: 'Memory used', zh: '内存使用率' },
  swap_total_bytes: { unit: 'bytes', en: 'Swap size', zh: '交换分区总量' },
  swap_used_bytes: { unit: 'bytes', en: 'Swap used', zh: '已用交换分区' },
  swap_used_pct: { unit: 'percent', en: 'Swap used', zh: '交换分区使用率' },
});

export const DISK = declareMeasurement(
  'disk',
  {
    total_bytes: { unit: 'bytes', en: 'File system size', zh: '文件系统容量' },
    used_bytes: { unit: 'bytes', en: 'Space used', zh: '已用空间' },
    free_bytes: { unit: 'bytes', en: 'Space available', zh: '可用空间' },
    used_pct: { unit: 'percent', en: 'Space used', zh: '空间使用率' },
    inodes_total: { unit: 'count', en: 'Inodes', zh: 'inode 总数' },
    inodes_used: { unit: 'count', en: 'Inodes used', zh: '已用 inode' },
    inodes_used_pct: { unit: 'percent', en: 'Inodes used', zh: 'inode 使用率' },
  },
  ['mount', 'device', 'fstype'],
);

export const NET = declareMeasurement(
  'net',
  {
    rx_bytes: { unit: 'bytes', en: 'Received (counter)', zh: '接收字节（计数器）' },
    tx_bytes: { unit: 'bytes', en: 'Sent (counter)', zh: '发送字节（计数器）' },
    rx_errors: { unit: 'count', en: 'Receive errors (counter)', zh: '接收错误（计数器）' },
    tx_errors: { unit: 'count', en: 'Send errors (counter)', zh: '发送错误（计数器）' },
    rx_dropped: { unit: 'count', en: 'Receive drops (counter)', zh: '接收丢包（计数器）' },
    tx_dropped: { unit: 'count', en: 'Send drops (counter)', zh: '发送丢包（计数器）' },
    up: { unit: 'boolean', en: 'Link up', zh: '链路正常' },
    rx_bytes_per_sec: { unit: 'bytes_per_sec', en: 'Received', zh: '接收速率' },
    tx_bytes_per_sec: { unit: 'bytes_per_sec', en: 'Sent', zh: '发送速率' },
    errors_per_sec: { unit: 'per_sec', en: 'Errors and drops', zh: '错误与丢包' },
  },
  ['iface'],
);

export const SYSTEM = declareMeasurement('system', {
  uptime_sec: { unit: 'seconds', en: 'Uptime', zh: '运行时长' },
  boot_time: { unit: 'epoch_sec', en: 'Boot time', zh: '启动时间' },
  rebooted: { unit: 'boolean', en: 'Rebooted since the last run', zh: '自上次检查后重启' },
});

export const FILE = declareMeasurement(
  'file',
  {
    exists: { unit: 'boolean', en: 'Exists', zh: '存在' },
    age_sec: { unit: 'seconds', en: 'Age', zh: '文件年龄' },
    size_bytes: { unit: 'bytes', en: 'Size', zh: '大小' },
    matches: { unit: 'count', en: 'Matching files', zh: '匹配文件数' },
  },
  ['path'],
);

/** system.accounts: local accounts from /etc/passwd and /etc/shadow, failed log-ins from the auth log. */
export const ACCOUNTS = declareMeasurement('accounts', {
  accounts: { unit: 'count', en: 'Local accounts', zh: '本地账号数' },
  uid0_extra: { unit: 'count', en: 'UID 0 accounts besides root', zh: '除 root 外 UID 0 账号数' },
  empty_password: { unit: 'count', en: 'Accounts without a password', zh: '空密码账号数' },
  locked: { unit: 'count', en: 'Locked accounts with a log-in shell', zh: '被锁定账号数' },
  failed_logins: { unit: 'count', en: 'Failed log-ins since the last run', zh: '上次检查以来登录失败次数' },
});

/** system.updates: what the package manager would upgrade. */
export const UPDATES = declareMeasurement('updates', {
  pending: { unit: 'count', en: 'Pending updates', zh: '待安装更新数' },
  security: { unit: 'count', en: 'Pending security updates', zh: '待安装安全更新数' },
});

/** Written by system.listening-ports, per expected port. */
export const LISTENING_PORT = declareMeasurement(
  'listening_port',
  {
    listening: { unit: 'boolean', en: 'Port listening', zh: '端口在监听' },
  },
  ['port'],
);

/** Written by system.listening-ports. */
export const LISTENING_PORTS = declareMeasurement('listening_ports', {
  total: { unit: 'count', en: 'Ports listening', zh: '监听端口数' },
  missing: { unit: 'count', en: 'Expected ports not listening', zh: '未监听的预期端口数' },
});

/** Written by system.fds. */
export const FDS = declareMeasurement('fds', {
  used: { unit: 'count', en: 'File handles used', zh: '已用文件句柄' },
  allocated: { unit: 'count', en: 'File handles allocated', zh: '已分配文件句柄' },
  max: { unit: 'count', en: 'File handle limit', zh: '文件句柄上限' },
  used_pct: { unit: 'percent', en: 'File handles used', zh: '文件句柄使用率' },
});

/** Written by system.clock. */
export const CLOCK = declareMeasurement(
  'clock',
  {
    offset_sec: { unit: 'seconds', en: 'Clock offset', zh: '时钟偏差' },
    rtt_sec: { unit: 'seconds', en: 'Time server round trip', zh: '时间服务器往返时延' },
  },
  ['reference'],
);

/** Written by system.process, per process. */
export const PROCESS = declareMeasurement(
  'process',
  {
    count: { unit: 'count', en: 'Processes', zh: '进程数' },
    running: { unit: 'boolean', en: 'Running', zh: '运行中' },
    rss_bytes: { unit: 'bytes', en: 'Memory (RSS)', zh: '内存占用（RSS）' },
  },
  ['name'],
);

/** Written by system.zombies. */
export const PROCESSES = declareMeasurement('processes', {
  zombies: { unit: 'count', en: 'Zombie processes', zh: '僵尸进程数' },
  total: { unit: 'count', en: 'Processes', zh: '进程总数' },
});

/** Written by system.service. */
export const SERVICE = declareMeasurement(
  'service',
  {
    active: { unit: 'boolean', en: 'Service active', zh: '服务运行中' },
  },
  ['service'],
);

/** Written by system.log-pattern. */
export const LOG_PATTERN = declareMeasurement(
  'log_pattern',
  {
    matches: { unit: 'count', en: 'Matching log lines', zh: '匹配的日志行' },
    bytes_read: { unit: 'bytes', en: 'Log read', zh: '已读日志' },
    bytes_skipped: { unit: 'bytes', en: 'Log skipped', zh: '跳过的日志' },
  },
  ['path'],
);
