import { declareMeasurement } from '../metric-declaration.js';


/** What the database checks write into their main measurement (db.postgres, db.mysql, db.redis). */

export const POSTGRES = declareMeasurement('postgres', {
  up: { unit: 'boolean', en: 'Answering', zh: '可连接' },
  connect_ms: { unit: 'count', en: 'Connect time (ms)', zh: '连接耗时（毫秒）' },
  query_ms: { unit: 'count', en: 'Query time (ms)', zh: '查询耗时（毫秒）' },
  version: { unit: 'text', en: 'Version', zh: '版本' },
  connections: { unit: 'count', en: 'Connections', zh: '连接数' },
  max_connections: { unit: 'count', en: 'Connection limit', zh: '最大连接数' },
  connections_pct: { unit: 'percent', en: 'Connections used', zh: '连接使用率' },
  long_queries: { unit: 'count', en: 'Long queries', zh: '长查询数' },
  longest_query_sec: { unit: 'seconds', en: 'Longest query', zh: '最长查询' },
  max_xid_age: { unit: 'count', en: 'Oldest transaction id age', zh: '最老事务 ID 年龄' },
  databases_bytes: { unit: 'bytes', en: 'Databases size', zh: '数据库总大小' },
  locks_waiting: { unit: 'count', en: 'Locks waiting', zh: '等待中的锁' },
  replication_lag_sec: { unit: 'seconds', en: 'Replication lag', zh: '复制延迟' },
  wal_receiver: { unit: 'text', en: 'WAL receiver', zh: 'WAL 接收进程' },
  replicas_streaming: { unit: 'count', en: 'Replicas streaming', zh: '流复制副本数' },
  is_standby: { unit: 'boolean', en: 'Standby', zh: '备库' },
});

export const MYSQL = declareMeasurement('mysql', {
  up: { unit: 'boolean', en: 'Answering', zh: '可连接' },
  connect_ms: { unit: 'count', en: 'Connect time (ms)', zh: '连接耗时（毫秒）' },
  version: { unit: 'text', en: 'Version', zh: '版本' },
  uptime_sec: { unit: 'seconds', en: 'Uptime', zh: '运行时长' },
  threads_connected: { unit: 'count', en: 'Connections', zh: '连接数' },
  threads_running: { unit: 'count', en: 'Running threads', zh: '运行线程数' },
  max_connections: { unit: 'count', en: 'Connection limit', zh: '最大连接数' },
  max_used_connections: { unit: 'count', en: 'Most connections used', zh: '历史最大连接数' },
  connections_pct: { unit: 'percent', en: 'Connections used', zh: '连接使用率' },
  slow_queries: { unit: 'count', en: 'Slow queries (counter)', zh: '慢查询（计数器）' },
  aborted_connects: { unit: 'count', en: 'Aborted connects (counter)', zh: '中断连接（计数器）' },
  aborted_clients: { unit: 'count', en: 'Aborted clients (counter)', zh: '中断客户端（计数器）' },
  slow_queries_per_min: { unit: 'per_min', en: 'Slow queries', zh: '慢查询' },
  aborted_connects_per_min: { unit: 'per_min', en: 'Aborted connects', zh: '中断连接' },
  buffer_pool_hit_pct: { unit: 'percent', en: 'Buffer pool hit rate', zh: '缓冲池命中率' },
  replica: { unit: 'text', en: 'Replica state', zh: '副本状态' },
  replica_io_running: { unit: 'boolean', en: 'Replica I/O thread running', zh: '副本 I/O 线程运行' },
  replica_sql_running: { unit: 'boolean', en: 'Replica SQL thread running', zh: '副本 SQL 线程运行' },
  seconds_behind: { unit: 'seconds', en: 'Replica lag', zh: '复制延迟' },
});

export const REDIS = declareMeasurement('redis', {
  up: { unit: 'boolean', en: 'Answering', zh: '可连接' },
  connect_ms: { unit: 'count', en: 'Connect time (ms)', zh: '连接耗时（毫秒）' },
  ping_ms: { unit: 'count', en: 'PING time (ms)', zh: 'PING 耗时（毫秒）' },
  version: { unit: 'text', en: 'Version', zh: '版本' },
  role: { unit: 'text', en: 'Role', zh: '角色' },
  uptime_sec: { unit: 'seconds', en: 'Uptime', zh: '运行时长' },
  connected_clients: { unit: 'count', en: 'Clients', zh: '客户端数' },
  used_memory_bytes: { unit: 'bytes', en: 'Memory used', zh: '已用内存' },
  maxmemory_bytes: { unit: 'bytes', en: 'Memory limit', zh: '内存上限' },
  used_memory_pct: { unit: 'percent', en: 'Memory used', zh: '内存使用率' },
  mem_fragmentation_ratio: { unit: 'count', en: 'Fragmentation ratio', zh: '内存碎片率' },
  evicted_keys: { unit: 'count', en: 'Evicted keys (counter)', zh: '淘汰键（计数器）' },
  rejected_connections: { unit: 'count', en: 'Rejected connections (counter)', zh: '拒绝连接（计数器）' },
  evicted_per_min: { unit: 'per_min', en: 'Evicted keys', zh: '淘汰键' },
  rejected_per_min: { unit: 'per_min', en: 'Rejected connections', zh: '拒绝连接' },
  connected_replicas: { unit: 'count', en: 'Replicas', zh: '副本数' },
  master_link_up: { unit: 'boolean', en: 'Link to master up', zh: '主从链路正常' },
  master_last_io_sec: { unit: 'seconds', en: 'Since last I/O with master', zh: '距上次主从通信' },
});

/** Written by db.postgres, per database. */
export const POSTGRES_DATABASE = declareMeasurement(
  'postgres_database',
  {
    size_bytes: { unit: 'bytes', en: 'Database size', zh: '数据库大小' },
    xid_age: { unit: 'count', en: 'Transaction id age', zh: '事务 ID 年龄' },
  },
  ['database'],
);

/** Written by db.postgres, per replica. */
export const POSTGRES_REPLICA = declareMeasurement(
  'postgres_replica',
  {
    streaming: { unit: 'boolean', en: 'Replica streaming', zh: '副本流复制中' },
    replay_lag_sec: { unit: 'seconds', en: 'Replica replay lag', zh: '副本回放延迟' },
    lag_bytes: { unit: 'bytes', en: 'Replica lag', zh: '副本落后量' },
  },
  ['replica', 'client_addr'],
);
