import type { MessageText } from './message-text.js';

/**
 * Words that travel as values and are shown in the reader's language ({name:w} in a text): statuses, roles,
 * states that systemd, SNMP and the socket layer name, and the phrases checks use for common failures. A value
 * that is not here is shown as it came (it is the device's or the server's own word).
 */
export const WORD_TEXTS = {
  OK: { en: 'OK', zh: '正常' },
  WARNING: { en: 'WARNING', zh: '警告' },
  CRITICAL: { en: 'CRITICAL', zh: '严重' },
  UNKNOWN: { en: 'UNKNOWN', zh: '未知' },
  // Database roles.
  primary: { en: 'primary', zh: '主库' },
  standby: { en: 'standby', zh: '备库' },
  master: { en: 'master', zh: '主节点' },
  replica: { en: 'replica', zh: '从节点' },
  // MySQL replica threads (Replica_IO_Running, Replica_SQL_Running).
  Yes: { en: 'Yes', zh: '运行中' },
  No: { en: 'No', zh: '已停止' },
  Connecting: { en: 'Connecting', zh: '连接中' },
  // systemd unit states (systemctl is-active).
  inactive: { en: 'inactive', zh: '未运行' },
  failed: { en: 'failed', zh: '已失败' },
  activating: { en: 'activating', zh: '正在启动' },
  deactivating: { en: 'deactivating', zh: '正在停止' },
  reloading: { en: 'reloading', zh: '正在重载' },
  unknown: { en: 'unknown', zh: '未知' },
  // IF-MIB ifOperStatus, and an interface switched off by its administrator.
  up: { en: 'up', zh: '已连接' },
  down: { en: 'down', zh: '已断开' },
  testing: { en: 'testing', zh: '测试中' },
  dormant: { en: 'dormant', zh: '休眠' },
  notPresent: { en: 'notPresent', zh: '不存在' },
  lowerLayerDown: { en: 'lowerLayerDown', zh: '下层断开' },
  'admin down': { en: 'admin down', zh: '已被管理员关闭' },
  // Socket and resolver failures (checks/network/tcp.ts describeSocketError, dns).
  'connection refused': { en: 'connection refused', zh: '连接被拒绝' },
  'host unreachable': { en: 'host unreachable', zh: '主机不可达' },
  'network unreachable': { en: 'network unreachable', zh: '网络不可达' },
  'name not found': { en: 'name not found', zh: '域名不存在' },
  'timed out': { en: 'timed out', zh: '超时' },
  'connection reset': { en: 'connection reset', zh: '连接被重置' },
  'check aborted': { en: 'check aborted', zh: '检查被中止' },
  'no address': { en: 'no address', zh: '无地址' },
  '(empty)': { en: '(empty)', zh: '（空）' },
  // Sections of the PostgreSQL check that may fail on their own (a missing privilege).
  'long queries': { en: 'long queries', zh: '长时间查询' },
  databases: { en: 'databases', zh: '数据库' },
  locks: { en: 'locks', zh: '锁' },
  replication: { en: 'replication', zh: '复制' },
  // An inventory whose OS could not be read.
  'unknown OS': { en: 'unknown OS', zh: '未知操作系统' },
} as const satisfies Record<string, MessageText>;
