import { sayer, type MessageText } from '../message-text.js';

/** Every text the system.* checks say, in en and zh (template syntax: checks/message-text.ts). */
export const SYSTEM_TEXTS = {
  // system.cpu
  'system.cpu.usage': {
    en: 'CPU {usagePct}% used, load {load1:2} {load5:2} {load15:2} on {cores} {cores|core|cores}',
    zh: 'CPU 使用率 {usagePct}%，负载 {load1:2} {load5:2} {load15:2}（{cores} 核）',
  },
  'system.cpu.load': {
    en: 'load {load1:2} {load5:2} {load15:2} on {cores} {cores|core|cores}',
    zh: '负载 {load1:2} {load5:2} {load15:2}（{cores} 核），使用率下次检查时给出',
  },
  // system.memory
  'system.memory.used': {
    en: 'memory {usedPct:1}% used ({usedBytes:gib} of {totalBytes:gib} GiB), {?swapPct}swap {swapPct:1}% used{/swapPct}{?noSwap}no swap{/noSwap}',
    zh: '内存使用率 {usedPct:1}%（已用 {usedBytes:gib} / {totalBytes:gib} GiB），{?swapPct}交换分区 {swapPct:1}%{/swapPct}{?noSwap}无交换分区{/noSwap}',
  },
  'system.memory.unavailable': { en: 'memory size not available', zh: '无法获取内存大小' },
  // system.disk
  'system.disk.ok': {
    en: '{count} {count|file system|file systems} OK, fullest {mount} {pct}%',
    zh: '{count} 个文件系统正常，最满 {mount} {pct}%',
  },
  'system.disk.above': { en: '{parts} above threshold', zh: '{parts} 超过阈值' },
  'system.disk.mount': { en: '{mount} {pct:1}%', zh: '{mount} {pct:1}%' },
  'system.disk.mountInodes': { en: '{mount} {pct:1}% (inodes {inodePct:1}%)', zh: '{mount} {pct:1}%（inode {inodePct:1}%）' },
  'system.disk.noneMatching': { en: 'no matching file system found', zh: '没有符合条件的文件系统' },
  // system.fds
  'system.fds.open': { en: '{used} file descriptors open of {max} ({pct:2}%)', zh: '已打开 {used} 个文件描述符，上限 {max}（{pct:2}%）' },
  'system.fds.openFew': { en: '{used} file descriptors open of {max} (<0.01%)', zh: '已打开 {used} 个文件描述符，上限 {max}（<0.01%）' },
  'system.fds.unexpected': { en: 'unexpected {path} content: {text}', zh: '{path} 的内容无法识别：{text}' },
  // system.network
  'system.network.ok': {
    en: '{count} {count|interface|interfaces} OK, rx {rxBytesPerSec:kib} KiB/s tx {txBytesPerSec:kib} KiB/s',
    zh: '{count} 个网络接口正常，接收 {rxBytesPerSec:kib} KiB/s，发送 {txBytesPerSec:kib} KiB/s',
  },
  'system.network.okFirst': {
    en: '{count} {count|interface|interfaces} OK (rates from the next run)',
    zh: '{count} 个网络接口正常（速率下次检查时给出）',
  },
  'system.network.problems': { en: '{parts}', zh: '{parts}' },
  'system.network.errors': { en: '{iface} {perSec:2} errors+drops/s', zh: '{iface} 每秒 {perSec:2} 个错误/丢包' },
  'system.network.down': { en: '{iface} is down', zh: '{iface} 已断开' },
  'system.network.missing': { en: '{iface} missing', zh: '{iface} 不存在' },
  // system.uptime
  'system.uptime.up': { en: 'up {uptimeSec:dur}', zh: '已运行 {uptimeSec:dur}' },
  'system.uptime.rebooted': {
    en: 'host rebooted at {bootAt:time} (up {uptimeSec:dur})',
    zh: '主机于 {bootAt:time} 重启（已运行 {uptimeSec:dur}）',
  },
  // system.zombies and system.process (ps)
  'system.zombies.none': { en: 'no zombie processes among {total}', zh: '{total} 个进程中没有僵尸进程' },
  'system.zombies.found': {
    en: '{count} zombie processes (most under parent pid {ppid}: {underParent})',
    zh: '{count} 个僵尸进程（最多的父进程 PID {ppid}：{underParent} 个）',
  },
  'system.ps.failed': { en: 'ps failed: {error}', zh: 'ps 执行失败：{error}' },
  'system.process.list': { en: '{parts;}', zh: '{parts;}' },
  'system.process.item': {
    en: '{name}: {count} running ({range}), RSS {rssBytes:mib} MiB{?status} {status:w}{/status}',
    zh: '{name}：运行中 {count} 个（应为 {range}），RSS {rssBytes:mib} MiB{?status} {status:w}{/status}',
  },
  // system.service
  'system.service.noSystemctl': { en: 'systemd not available (systemctl cannot run)', zh: 'systemd 不可用（无法运行 systemctl）' },
  'system.service.noSystemd': { en: 'systemd not available', zh: 'systemd 不可用' },
  'system.service.active': { en: '{count} {count|service|services} active', zh: '{count} 个服务运行中' },
  'system.service.notActive': { en: '{parts}', zh: '{parts}' },
  'system.service.state': { en: '{name} {state:w}', zh: '{name} {state:w}' },
  // system.listening-ports
  'system.ports.missing': { en: 'not listening on TCP {ports}', zh: '未监听 TCP 端口 {ports}' },
  'system.ports.ok': {
    en: 'listening on TCP {ports} ({total} listening ports in all)',
    zh: '正在监听 TCP 端口 {ports}（共 {total} 个监听端口）',
  },
  // Reading a file or running a command on the host failed (several checks).
  'system.read.failed': { en: 'cannot read {path}: {error}', zh: '无法读取 {path}：{error}' },
  // system.clock
  'system.clock.offsetServer': { en: 'clock offset {offsetSec:3} s against {server}', zh: '与 {server} 的时钟偏差 {offsetSec:3} 秒' },
  'system.clock.offsetCollector': { en: 'clock offset {offsetSec:3} s against the collector clock', zh: '与采集服务器的时钟偏差 {offsetSec:3} 秒' },
  'system.clock.noAnswer': { en: 'no NTP answer from {server}: {error:w}', zh: '{server} 没有 NTP 应答：{error:w}' },
  'system.clock.notConnected': { en: 'not connected to the collector yet', zh: '尚未连接采集服务器' },
  'system.clock.unreadable': { en: 'cannot read the host clock: {error}', zh: '无法读取主机时钟：{error}' },
  // system.file
  'system.file.badParams': { en: 'bad parameters: {error}', zh: '参数有误：{error}' },
  'system.file.missing': { en: '{path} is missing', zh: '{path} 不存在' },
  'system.file.noMatch': { en: 'no file in {dir} matches {pattern}', zh: '{dir} 中没有与 {pattern} 匹配的文件' },
  'system.file.statFailed': { en: 'cannot stat {path}: {error}', zh: '无法读取 {path} 的状态：{error}' },
  'system.file.statUnexpected': { en: 'unexpected stat output: {text}', zh: 'stat 输出无法识别：{text}' },
  'system.file.listFailed': { en: 'cannot list {dir}: {error}', zh: '无法列出 {dir}：{error}' },
  'system.file.one': {
    en: '{path}: {sizeBytes} bytes, modified {ageSec:age} ago{?parts} ({parts}){/parts}',
    zh: '{path}：{sizeBytes} 字节，{ageSec:age}前修改{?parts}（{parts}）{/parts}',
  },
  'system.file.newest': {
    en: '{label}: newest {path} of {matches}, {sizeBytes} bytes, modified {ageSec:age} ago{?parts} ({parts}){/parts}',
    zh: '{label}：{matches} 个文件中最新的是 {path}，{sizeBytes} 字节，{ageSec:age}前修改{?parts}（{parts}）{/parts}',
  },
  'system.file.older': { en: 'older than {hours} h', zh: '超过 {hours} 小时未更新' },
  'system.file.smaller': { en: 'smaller than {bytes} bytes', zh: '小于 {bytes} 字节' },
  // system.log-pattern
  'system.log.badPattern': { en: 'bad pattern: {error}', zh: '匹配规则有误：{error}' },
  'system.log.matches': {
    en: '{count} lines matching /{pattern}/ in {path} since the last run{?parts} ({parts;}){/parts}{?skippedBytes}, skipped {skippedBytes} bytes over the read limit{/skippedBytes}',
    zh: '自上次检查以来 {path} 中有 {count} 行匹配 /{pattern}/{?parts}（{parts;}）{/parts}{?skippedBytes}，超出单次读取上限，跳过 {skippedBytes} 字节{/skippedBytes}',
  },
  'system.log.firstRun': { en: 'first run: counting from now on', zh: '首次检查：从现在开始计数' },
  'system.log.pathChanged': { en: 'path changed from {from}: counting from now on', zh: '路径由 {from} 改变：从现在开始计数' },
  'system.log.pathChangedRead': { en: 'path changed from {from}: reading it from the start', zh: '路径由 {from} 改变：从头读取' },
  'system.log.rotatedRead': { en: 'file was rotated; read the rest of {path}', zh: '日志已轮转；已读完 {path} 的剩余部分' },
  'system.log.rotated': { en: 'file was rotated', zh: '日志已轮转' },
  'system.log.rotatedLost': {
    en: 'file was rotated; the rest of the old file was not found (compressed or moved away)',
    zh: '日志已轮转；未找到旧文件的剩余部分（已压缩或移走）',
  },
  'system.log.truncatedRead': { en: 'file was truncated; read the rest of its copy {path}', zh: '日志已被截断；已读完其副本 {path} 的剩余部分' },
  'system.log.truncatedLost': { en: 'file was truncated; no copy with its unread rest was found', zh: '日志已被截断；未找到包含未读部分的副本' },
  'system.log.statFailed': { en: 'cannot stat {path}: {error:w}', zh: '无法读取 {path} 的状态：{error:w}' },
  'system.log.listFailed': { en: 'cannot list rotated files of {path}: {error:w}', zh: '无法列出 {path} 的轮转文件：{error:w}' },
  'system.log.readFailed': { en: 'cannot read {path}: {error:w}', zh: '无法读取 {path}：{error:w}' },
  'system.log.partsMissing': { en: 'cannot read {path}: {got} of {wanted} parts came back', zh: '无法读取 {path}：只返回了 {wanted} 段中的 {got} 段' },
  // system.inventory
  'system.inventory.facts': {
    en: '{os:w}, kernel {kernel}, {cores} cores, {memoryBytes:gib} GiB, {disks} disks, {nics} NICs{?virtualNics} ({virtualNics} virtual left out){/virtualNics}, {packagesFound}/{packages} packages found{?parts}; too big for the details limit, listed only {parts}{/parts}',
    zh: '{os:w}，内核 {kernel}，{cores} 核，内存 {memoryBytes:gib} GiB，{disks} 块磁盘，{nics} 个网卡{?virtualNics}（另有 {virtualNics} 个虚拟网卡未列出）{/virtualNics}，已安装 {packagesFound}/{packages} 个软件包{?parts}；超出详情大小上限，仅列出 {parts}{/parts}',
  },
  'system.inventory.cutNics': { en: '{kept} of {total} NICs', zh: '{total} 个网卡中的 {kept} 个' },
  'system.inventory.cutFilesystems': { en: '{kept} of {total} file systems', zh: '{total} 个文件系统中的 {kept} 个' },
  'system.inventory.cutDisks': { en: '{kept} of {total} disks', zh: '{total} 块磁盘中的 {kept} 块' },
  'system.inventory.cutPackages': { en: '{kept} of {total} packages', zh: '{total} 个软件包中的 {kept} 个' },
  // system.updates
  'system.updates.none': { en: 'no pending updates ({manager})', zh: '没有待安装的更新（{manager}）' },
  'system.updates.pending': {
    en: '{pending} pending {pending|update|updates}, {security} of them security ({manager})',
    zh: '{pending} 个待安装更新，其中安全更新 {security} 个（{manager}）',
  },
  'system.updates.noManager': { en: 'no package manager found (tried {tried})', zh: '未找到软件包管理器（已尝试 {tried}）' },
  'system.updates.failed': { en: '{manager} failed: {error}', zh: '{manager} 执行失败：{error}' },
  // system.accounts
  'system.accounts.summary': {
    en: '{?lockedCount}{lockedCount} {lockedCount|account|accounts} locked ({lockedNames}), {/lockedCount}{?noLocked}no locked account, {/noLocked}{?extraRoot}UID 0 besides root: {extraRoot}{/extraRoot}{?noExtraRoot}no extra UID 0 account{/noExtraRoot}, {?emptyPassword}empty password: {emptyPassword}{/emptyPassword}{?noEmptyPassword}no empty password{/noEmptyPassword}{?shadowDenied}empty passwords and locked accounts not checked: no permission to read {shadowDenied} (the user the agent runs as needs read access: the {shadowGroup} group, or root){/shadowDenied}{?shadowUnreadable}empty passwords and locked accounts not checked: cannot read {shadowUnreadable} ({shadowError}){/shadowUnreadable}{?parts}; {parts;}{/parts}',
    zh: '{?lockedCount}{lockedCount} 个账号被锁定（{lockedNames}），{/lockedCount}{?noLocked}无锁定账号，{/noLocked}{?extraRoot}除 root 外 UID 为 0 的账号：{extraRoot}{/extraRoot}{?noExtraRoot}无 UID 0 异常账号{/noExtraRoot}，{?emptyPassword}空密码账号：{emptyPassword}{/emptyPassword}{?noEmptyPassword}无空密码{/noEmptyPassword}{?shadowDenied}未检查空密码与锁定账号：无权读取 {shadowDenied}（代理程序的用户需要读取权限：加入 {shadowGroup} 组，或以 root 运行）{/shadowDenied}{?shadowUnreadable}未检查空密码与锁定账号：无法读取 {shadowUnreadable}（{shadowError}）{/shadowUnreadable}{?parts}；{parts;}{/parts}',
  },
  'system.accounts.failed': { en: '{count} failed {count|log-in|log-ins} in the last interval', zh: '近 1 次间隔登录失败 {count} 次' },
  'system.accounts.failedFirstRun': {
    en: 'failed log-ins counted from the next run on ({path})',
    zh: '登录失败次数从下次检查起统计（{path}）',
  },
  'system.accounts.noAuthLog': { en: 'failed log-ins not counted: no auth log ({paths})', zh: '未统计登录失败：未找到认证日志（{paths}）' },
} as const satisfies Record<string, MessageText>;

export const { say, part } = sayer(SYSTEM_TEXTS);
