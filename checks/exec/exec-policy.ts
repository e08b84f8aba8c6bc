import { realpath } from 'node:fs/promises';
import { posix } from 'node:path';
import { z } from 'zod';
import type { CheckOutcome, Executor } from '../define.js';
import { refused } from './refusal.js';

/**
 * What a host allows to be executed for the collector. Zabbix ships `system.run` denied and NRPE refuses
 * arguments unless told otherwise; Patrol runs only programs of the monitoring-plugins folders by default, and
 * more only where the host's own configuration (the agent's agent.json, an agentless host's record) says so.
 */

/** Debian/Ubuntu and RHEL/SUSE homes of the Nagios / monitoring-plugins executables. */
export const DEFAULT_COMMAND_DIRS: readonly string[] = ['/usr/lib/nagios/plugins', '/usr/lib/monitoring-plugins'];

const AbsolutePath = z
  .string()
  .min(2)
  .max(1000)
  .refine((p) => p.startsWith('/') && !p.includes('\0'), 'an absolute path')
  .refine((p) => posix.normalize(p).replace(/\/$/, '') !== '', 'not the root folder');

/** One exact command line: a JSON array of argv words, or a string split at spaces (no quoting). */
const CommandLine = z.union([
  z.string().trim().min(2).max(4000).refine((s) => s.startsWith('/'), 'a command line starting with an absolute path'),
  z.array(z.string().max(4000)).min(1).max(200).refine((a) => a[0]!.startsWith('/'), 'argv whose first word is an absolute path'),
]);

/**
 * The keys a host's configuration adds to the default list. `allowCommandDirs`: folders whose programs may
 * run with any arguments. `allowCommands`: exact command lines that may run as they are (shells too).
 */
export const ExecAllowListSchema = z.object({
  allowCommandDirs: z.array(AbsolutePath).max(100).default([]),
  allowCommands: z.array(CommandLine).max(500).default([]),
});
export type ExecAllowList = z.infer<typeof ExecAllowListSchema>;
export type ExecAllowListInput = z.input<typeof ExecAllowListSchema>;

export interface ExecPolicy {
  /** Folders whose programs may run with any arguments: the defaults plus the host's own. */
  readonly commandDirs: readonly string[];
  /** Exact argv lists that may run as they are. */
  readonly commands: ReadonlyArray<readonly string[]>;
  /** Where the list is configured, named by every refusal (agent.json on that host, or the host's record). */
  readonly configuredIn: string;
}

/** The argv of an exact command line entry. */
export function commandLineArgv(entry: string | readonly string[]): string[] {
  return typeof entry === 'string' ? entry.trim().split(/\s+/) : [...entry];
}

/** The default folders plus what the host's configuration adds. */
export function execPolicy(list: ExecAllowListInput | undefined, configuredIn: string): ExecPolicy {
  const l = ExecAllowListSchema.parse(list ?? {});
  const dirs = [...DEFAULT_COMMAND_DIRS, ...l.allowCommandDirs].map((d) => stripSlash(posix.normalize(d)));
  return { commandDirs: [...new Set(dirs)], commands: l.allowCommands.map(commandLineArgv), configuredIn };
}

/** Where no policy was given (tests, tools): the monitoring-plugins folders only. */
export const DEFAULT_EXEC_POLICY: ExecPolicy = execPolicy(undefined, "the agent's agent.json");

/**
 * Programs that run other programs (shells, interpreters, wrappers) or write files named by their arguments:
 * with the right arguments each does anything at all. In the plugin folder: negate and urlize run the command
 * given to them, check_by_ssh passes ssh options (ProxyCommand), check_apt passes apt-get options
 * (Pre-Invoke), check_log copies a log to any path. Only an exact command line runs them.
 */
const RUNNERS = new Set([
  'sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'pdksh', 'ash', 'csh', 'tcsh', 'fish', 'rbash', 'busybox', 'toybox',
  'env', 'sudo', 'su', 'doas', 'runuser', 'pkexec', 'chroot', 'nsenter', 'unshare', 'setsid', 'nohup', 'nice', 'ionice',
  'timeout', 'stdbuf', 'taskset', 'chrt', 'flock', 'xargs', 'find', 'watch', 'script', 'expect', 'strace', 'ltrace',
  'gdb', 'ssh', 'systemd-run', 'at', 'batch', 'crontab', 'awk', 'gawk', 'mawk', 'nawk', 'sed', 'ed', 'vi', 'vim',
  'cp', 'mv', 'dd', 'tee', 'install', 'ln', 'rm', 'chmod', 'chown', 'tar', 'make',
  'negate', 'urlize', 'check_by_ssh', 'check_apt', 'check_log',
]);
const INTERPRETER = /^(python|pypy|perl|ruby|php|php-cgi|lua|luajit|node|nodejs|deno|bun|tclsh|wish|java|jshell|bash|zsh|ksh|Rscript|guile|osascript)[\d.]*$/;

export function isRunner(path: string): boolean {
  const base = posix.basename(path);
  return RUNNERS.has(base) || INTERPRETER.test(base);
}

/**
 * Environment names a plugin may be given, with the values each may take: language and time zone only.
 * Never LD_*, PATH, NODE_OPTIONS, PERL5LIB, BASH_ENV or anything else that changes what code is loaded.
 * No '/' in locale values (gettext would read catalogs from any folder); time zones may name a zoneinfo entry.
 */
const LOCALE_VALUE = /^[A-Za-z0-9_.@:+-]{0,100}$/;
export const SAFE_ENV: Readonly<Record<string, RegExp>> = {
  TZ: /^:?[A-Za-z0-9_+-]{1,40}(\/[A-Za-z0-9_+-]{1,40}){0,3}$/,
  LANG: LOCALE_VALUE,
  LANGUAGE: LOCALE_VALUE,
  LC_ALL: LOCALE_VALUE,
  LC_CTYPE: LOCALE_VALUE,
  LC_MESSAGES: LOCALE_VALUE,
  LC_NUMERIC: LOCALE_VALUE,
  LC_TIME: LOCALE_VALUE,
  LC_COLLATE: LOCALE_VALUE,
};

export interface ExecRequest {
  command: string;
  args: readonly string[];
  env?: Readonly<Record<string, string>>;
}

function stripSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

function inside(path: string, dirs: readonly string[]): boolean {
  return dirs.some((d) => path.startsWith(`${d}/`));
}

/** The path with every link and `..` resolved, on the host the executor runs on; undefined when it does not exist. */
export async function resolveOnHost(exec: Executor, path: string): Promise<string | undefined> {
  if (exec.kind === 'local') return realpath(path).catch(() => undefined);
  // Over SSH: GNU realpath; -e: every part must exist.
  const r = await exec.exec('realpath', ['-e', '--', path], { timeoutMs: 10_000 });
  const out = r.stdout.trim();
  return r.code === 0 && out.startsWith('/') && !out.includes('\n') ? out : undefined;
}

/**
 * Whether the host's policy lets this command run; undefined if it may, else the UNKNOWN outcome to report.
 * Order: environment (always), an exact command line, then the folder rules on the path with links and `..`
 * resolved on the host itself. Nothing is run but `realpath` (over SSH) to decide.
 */
export async function authorizeExec(policy: ExecPolicy, req: ExecRequest, exec: Executor): Promise<CheckOutcome | undefined> {
  const file = policy.configuredIn;
  for (const [name, value] of Object.entries(req.env ?? {})) {
    const pattern = Object.hasOwn(SAFE_ENV, name) ? SAFE_ENV[name] : undefined;
    if (!pattern || !pattern.test(value)) return refused('exec.refused.env', { name, allowed: Object.keys(SAFE_ENV).join(', ') });
  }
  const argv = [req.command, ...req.args];
  if (policy.commands.some((c) => c.length === argv.length && c.every((w, i) => w === argv[i]))) return undefined;
  const command = req.command;
  if (!command.startsWith('/')) return refused('exec.refused.relative', { command, file });
  const dirs = policy.commandDirs.join(', ');
  const lexical = posix.normalize(command);
  if (!inside(lexical, policy.commandDirs)) return refused('exec.refused.outside', { command, dirs, file });
  if (isRunner(lexical)) return refused('exec.refused.runner', { command, file });
  // The path as given, not the lexical form: the kernel follows a link before `..` (`dir/link/../x`), realpath too.
  const resolved = await resolveOnHost(exec, command);
  if (!resolved) return refused('exec.refused.notFound', { command, dirs, file });
  if (isRunner(resolved)) return refused('exec.refused.runner', { command: `${command} (${resolved})`, file });
  if (inside(resolved, policy.commandDirs)) return undefined;
  // A configured folder may itself be a link (to /opt/...): compare with the folders resolved too.
  const realDirs = (await Promise.all(policy.commandDirs.map((d) => resolveOnHost(exec, d)))).filter((d): d is string => d !== undefined);
  if (inside(resolved, realDirs)) return undefined;
  return refused('exec.refused.symlink', { command, resolved, dirs, file });
}
