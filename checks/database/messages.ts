import { sayer, type MessageText } from '../message-text.js';

/**
 * Every text the db.* checks say, in en and zh (template syntax: checks/message-text.ts). A server's own error
 * text (a refused login) travels as {error} and is shown as the server wrote it.
 */
export const DATABASE_TEXTS = {
  // Before and while connecting (every database check).
  'db.password.envNotSet': { en: 'environment variable {name} (the password) is not set', zh: '未设置存放密码的环境变量 {name}' },
  'db.connect.refused': { en: 'connection refused to {where}', zh: '连接 {where} 被拒绝' },
  'db.connect.reset': { en: 'connection reset by {where}', zh: '连接被 {where} 重置' },
  'db.connect.timedOut': { en: 'connection timed out to {where}', zh: '连接 {where} 超时' },
  'db.connect.hostUnreachable': { en: 'host unreachable: {where}', zh: '主机不可达：{where}' },
  'db.connect.networkUnreachable': { en: 'network unreachable for {where}', zh: '网络不可达：{where}' },
  'db.connect.unresolved': { en: 'cannot resolve host of {where}', zh: '无法解析 {where} 的主机名' },
  'db.connect.closed': { en: 'connection closed by {where}', zh: '连接被 {where} 关闭' },
  'db.connect.noAnswer': { en: 'no answer from {where} in time', zh: '{where} 未在限定时间内应答' },
  'db.connect.error': { en: '{where}: {error}', zh: '{where}：{error}' },
  'db.connect.authFailed': { en: '{where}: authentication failed ({error})', zh: '{where}：认证失败（{error}）' },
  'db.connect.tooMany': { en: '{where} refuses connections: too many connections', zh: '{where} 拒绝连接：连接数已满' },
  // A list of problems, and the sections that could not be read (a missing privilege).
  'db.problems': { en: '{parts}', zh: '{parts}' },
  'db.section.failed': { en: '{section:w}: {error}', zh: '{section:w}：{error}' },
  'db.connections': { en: '{used}/{max} connections ({pct:0}%)', zh: '连接数 {used}/{max}（{pct:0}%）' },
  // db.postgres
  'db.postgres.up': {
    en: 'PostgreSQL {version} {role:w} up, connect {connectMs:1} ms, {used}/{max} connections{?databasesBytes}, databases {databasesBytes:mib} MiB{/databasesBytes}{?lagSec}, replication lag {lagSec}s{/lagSec}{?replicas}, {replicas} replicas streaming{/replicas}{?parts} (not available: {parts;}){/parts}',
    zh: 'PostgreSQL {version} {role:w}运行正常，连接耗时 {connectMs:1} ms，连接数 {used}/{max}{?databasesBytes}，数据库共 {databasesBytes:mib} MiB{/databasesBytes}{?lagSec}，复制延迟 {lagSec} 秒{/lagSec}{?replicas}，{replicas} 个副本正在同步{/replicas}{?parts}（无法获取：{parts;}）{/parts}',
  },
  'db.postgres.unsupported': {
    en: 'PostgreSQL {version} is not supported: needs 10 or newer (the server is up; connect and test query answered)',
    zh: '不支持 PostgreSQL {version}：需要 10 或更新版本（服务器运行正常，连接和测试查询均有应答）',
  },
  'db.postgres.stopped': { en: 'PostgreSQL {where} stopped answering during the check', zh: 'PostgreSQL {where} 在检查过程中停止应答' },
  'db.postgres.failed': { en: 'PostgreSQL {where} failed during the check: {error}', zh: 'PostgreSQL {where} 在检查过程中出错：{error}' },
  'db.postgres.longQueries': {
    en: '{count} queries running over {limitSec}s (longest {longestSec:0}s)',
    zh: '{count} 个查询运行超过 {limitSec} 秒（最长 {longestSec:0} 秒）',
  },
  'db.postgres.xidAge': { en: '{database} transaction ID age {age}', zh: '{database} 的事务 ID 年龄 {age}' },
  'db.postgres.locksWaiting': { en: '{count} locks waiting', zh: '{count} 个锁在等待' },
  'db.postgres.lag': { en: 'replication lag {lagSec:0}s', zh: '复制延迟 {lagSec:0} 秒' },
  'db.postgres.notStreaming': {
    en: 'standby is not streaming from its primary (wal receiver: {receiver})',
    zh: '备库未从主库同步（WAL 接收进程：{receiver}）',
  },
  'db.postgres.replicaState': { en: 'replica {replica} is {state}', zh: '副本 {replica} 状态为 {state}' },
  'db.postgres.replicaLag': { en: 'replica {replica} replay lag {lagSec:0}s', zh: '副本 {replica} 回放延迟 {lagSec:0} 秒' },
  'db.postgres.fewReplicas': { en: '{streaming} of {expected} expected replicas streaming', zh: '应有 {expected} 个副本同步，实际 {streaming} 个' },
  // db.mysql
  'db.mysql.up': {
    en: '{version} up, connect {connectMs:1} ms, {threads}/{max} connections{?slowPerMin}, {slowPerMin} slow queries/min{/slowPerMin}{?firstRun} (rates from the next run){/firstRun}{?behindSec}, replica {behindSec}s behind{/behindSec}{?parts} (not available: {parts;}){/parts}',
    zh: '{version} 运行正常，连接耗时 {connectMs:1} ms，连接数 {threads}/{max}{?slowPerMin}，每分钟慢查询 {slowPerMin} 个{/slowPerMin}{?firstRun}（速率下次检查时给出）{/firstRun}{?behindSec}，从库延迟 {behindSec} 秒{/behindSec}{?parts}（无法获取：{parts;}）{/parts}',
  },
  'db.mysql.failed': { en: 'MySQL {where} failed during the check: {error}', zh: 'MySQL {where} 在检查过程中出错：{error}' },
  'db.mysql.slow': { en: '{perMin:1} slow queries/min', zh: '每分钟慢查询 {perMin:1} 个' },
  'db.mysql.aborted': { en: '{perMin:1} aborted connections/min', zh: '每分钟中断连接 {perMin:1} 个' },
  'db.mysql.bufferPool': { en: 'InnoDB buffer pool hit ratio {pct:1}%', zh: 'InnoDB 缓冲池命中率 {pct:1}%' },
  'db.mysql.replicaThreads': {
    en: 'replica threads IO {io:w} SQL {sql:w}{?error} ({error}){/error}',
    zh: '从库线程 IO {io:w}、SQL {sql:w}{?error}（{error}）{/error}',
  },
  'db.mysql.replicaBehind': { en: 'replica {behindSec}s behind', zh: '从库延迟 {behindSec} 秒' },
  'db.mysql.noPrivilege': {
    en: 'replication status: user {user} lacks the {privilege} privilege',
    zh: '复制状态：用户 {user} 缺少 {privilege} 权限',
  },
  // db.redis
  'db.redis.up': {
    en: 'Redis {version} {role:w} up, ping {pingMs:1} ms, {?maxBytes}{usedBytes:mib}/{maxBytes:mib} MiB ({pct:0}%){/maxBytes}{?noMax}{usedBytes:mib} MiB used (no maxmemory){/noMax}{?master}, replica of {master} (link {link:w}){/master}',
    zh: 'Redis {version} {role:w}运行正常，PING {pingMs:1} ms，{?maxBytes}内存 {usedBytes:mib}/{maxBytes:mib} MiB（{pct:0}%）{/maxBytes}{?noMax}已用内存 {usedBytes:mib} MiB（未设置 maxmemory）{/noMax}{?master}，主节点 {master}（链路{link:w}）{/master}',
  },
  'db.redis.failed': { en: 'Redis {where} failed during the check: {error}', zh: 'Redis {where} 在检查过程中出错：{error}' },
  'db.redis.slowPing': { en: 'PING took {pingMs:0} ms', zh: 'PING 耗时 {pingMs:0} ms' },
  'db.redis.memory': { en: 'memory {usedBytes:mib}/{maxBytes:mib} MiB ({pct:0}%)', zh: '内存 {usedBytes:mib}/{maxBytes:mib} MiB（{pct:0}%）' },
  'db.redis.evicted': { en: '{perMin:1} keys evicted/min', zh: '每分钟淘汰 {perMin:1} 个键' },
  'db.redis.rejected': { en: '{perMin:1} connections rejected/min', zh: '每分钟拒绝 {perMin:1} 个连接' },
  'db.redis.linkDown': {
    en: 'replication link to {master} is {link:w}{?sinceSec} for {sinceSec}s{/sinceSec}',
    zh: '到主节点 {master} 的复制链路{link:w}{?sinceSec}，已持续 {sinceSec} 秒{/sinceSec}',
  },
} as const satisfies Record<string, MessageText>;

export const { say, part } = sayer(DATABASE_TEXTS);
