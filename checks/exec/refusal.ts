import type { CheckMessage } from '../../shared/check-result.js';
import type { CheckOutcome } from '../define.js';
import { renderWith, sayer, type MessageValues } from '../message-text.js';

/**
 * Why a check was not run, as message keys with values. The texts live here (not in the dashboard's catalog)
 * because the agent writes the English fallback into the summary, and the collector renders the same keys in
 * zh or en; every text names the rule and the place to change it.
 */
export const REFUSAL_TEXTS = {
  'exec.refused.env': {
    en: 'not run: environment variable {name} is not allowed for plugins (allowed: {allowed}, with plain values); rule: safe environment names',
    zh: '未运行：插件不允许使用环境变量 {name}（仅允许 {allowed}，且取值须为普通文本）；规则：安全环境变量名单',
  },
  'exec.refused.relative': {
    en: 'not run: {command} is not an absolute path; rule: commands are absolute paths in the allowed folders of {file}',
    zh: '未运行：{command} 不是绝对路径；规则：命令须为 {file} 中允许目录下的绝对路径',
  },
  'exec.refused.runner': {
    en: 'not run: {command} runs other programs or writes files (shell, interpreter, negate, ...); rule: only an exact command line in allowCommands of {file} may run it',
    zh: '未运行：{command} 会执行其他程序或写入文件（shell、解释器、negate 等）；规则：只有在 {file} 的 allowCommands 中逐字允许的命令行才能运行它',
  },
  'exec.refused.outside': {
    en: 'not run: {command} is not in an allowed folder ({dirs}); rule: add its folder to allowCommandDirs or the exact command line to allowCommands in {file}',
    zh: '未运行：{command} 不在允许的目录中（{dirs}）；规则：在 {file} 的 allowCommandDirs 中加入其目录，或在 allowCommands 中加入完整命令行',
  },
  'exec.refused.symlink': {
    en: 'not run: {command} leads to {resolved}, outside the allowed folders ({dirs}); rule: links and .. are followed before comparing; change allowCommandDirs or allowCommands in {file}',
    zh: '未运行：{command} 实际指向 {resolved}，不在允许的目录中（{dirs}）；规则：先解析链接和 ..，再比较；可修改 {file} 中的 allowCommandDirs 或 allowCommands',
  },
  'exec.refused.notFound': {
    en: 'not run: {command} does not exist on this host (allowed folders: {dirs}, set in {file})',
    zh: '未运行：此主机上不存在 {command}（允许的目录：{dirs}，在 {file} 中设置）',
  },
  'exec.refused.hostKind': {
    en: 'not run: a {kind} host cannot run {checkId}: it would run on the collector; rule: the collector never executes anything for a host. Assign it to hosts with an agent or SSH access',
    zh: '未运行：{kind} 类型的主机不能运行 {checkId}，否则它会在采集服务器上执行；规则：采集服务器从不为主机执行任何命令。请把它分配给装有 Agent 或可 SSH 登录的主机',
  },
  'target.refused.notHost': {
    en: "not run: {target} is not this host's address ({address}); rule: agentless checks connect only to the host unless an admin adds the target to the host's allowances ({file})",
    zh: '未运行：{target} 不是本主机的地址（{address}）；规则：无 Agent 主机的检查只连接主机本身，除非管理员在主机的放行设置（{file}）中加入该目标',
  },
  'target.refused.local': {
    en: "not run: {target} is {ip}, a loopback, link-local or cloud metadata address; rule: such addresses need an admin's allowLocalAddresses in the host's allowances ({file})",
    zh: '未运行：{target} 对应 {ip}，属于本机回环、链路本地或云元数据地址；规则：此类地址须由管理员在主机的放行设置（{file}）中开启 allowLocalAddresses',
  },
  'target.refused.unresolved': {
    en: 'not run: cannot resolve {target} ({error}); rule: targets are resolved and checked before any connection',
    zh: '未运行：无法解析 {target}（{error}）；规则：连接前须先解析并检查目标地址',
  },
  // Values: {name, prefix} and one of {onCollector: 1} / {onAgent: 1} (checks/database/credentials.ts).
  'secret.refused.envName': {
    en: "not run: passwordEnv {name} is not allowed here; rule: {?onCollector}on the collector (agentless hosts) a passwordEnv name starts with {prefix}, set in the collector's environment{/onCollector}{?onAgent}PATROL_* names are the agent's own settings (only {prefix}* may hold a check's password); use another name in agent.env{/onAgent}",
    zh: '未运行：此处不允许 passwordEnv {name}；规则：{?onCollector}在采集服务器上（无 Agent 主机），passwordEnv 名称须以 {prefix} 开头，并在采集服务器的环境中设置{/onCollector}{?onAgent}PATROL_* 是 Agent 自身的设置（只有 {prefix}* 可存放检查密码）；请在 agent.env 中使用其他名称{/onAgent}',
  },
} as const satisfies Record<string, { en: string; zh: string }>;

export type RefusalKey = keyof typeof REFUSAL_TEXTS;
export type { MessageValues };
const { say } = sayer(REFUSAL_TEXTS);

/** A refusal in the given language (the collector's readers); unknown keys give undefined. */
export function renderRefusal(message: CheckMessage, lang: 'en' | 'zh'): string | undefined {
  return renderWith((key) => (Object.hasOwn(REFUSAL_TEXTS, key) ? (REFUSAL_TEXTS as Record<string, { en: string; zh: string }>)[key] : undefined), lang, message);
}

/** The UNKNOWN outcome of a check that was refused before anything ran or connected. */
export function refused(key: RefusalKey, values: MessageValues): CheckOutcome & { message: CheckMessage } {
  return { status: 'UNKNOWN', ...say(key, values) };
}
