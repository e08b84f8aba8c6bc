import { z } from 'zod';
import { defineCheck, type CheckContext, type CheckState } from '../define.js';
import { statusAbove, worstStatus, type Status } from '../../shared/status.js';
import type { CheckMessagePart } from '../../shared/check-result.js';
import { part, say } from './messages.js';
import logPattern from './log-pattern.js';
import { ACCOUNTS } from './metrics.js';
import type { FieldsOf } from '../metric-declaration.js';

/** The auth logs of Debian/Ubuntu and of RHEL/CentOS/Kylin, tried in this order when `authLog` is not given. */
const DEFAULT_AUTH_LOGS = ['/var/log/auth.log', '/var/log/secure'];

/** One failed attempt as sshd, login, su and sudo (through PAM) write it. */
const DEFAULT_FAILED_PATTERN = 'Failed password|authentication failure|Invalid user';

/** Shells that give no log-in: an account with one of them is a service account, locked or not. */
const NO_LOGIN_SHELL = /(?:^|\/)(?:nologin|false|sync|shutdown|halt)$/;

/** Names shown in the summary; all of them are in the details. */
const MAX_NAMES_IN_SUMMARY = 10;

const AccountsParams = z.object({
  passwd: z.string().min(1).default('/etc/passwd'),
  shadow: z.string().min(1).default('/etc/shadow'),
  /** The auth log; absent: /var/log/auth.log, else /var/log/secure (a host with neither is journald only). */
  authLog: z.string().min(1).optional(),
  /** Lines of the auth log that count as one failed log-in each (JavaScript regex). */
  failedPattern: z.string().min(1).default(DEFAULT_FAILED_PATTERN),
  /** Failed log-ins since the last run at or above this: WARNING. */
  failedWarnCount: z.number().int().positive().default(10),
  /** At or above this: CRITICAL (password guessing). */
  failedCritCount: z.number().int().positive().default(50),
});
type AccountsParams = z.infer<typeof AccountsParams>;

export interface PasswdEntry {
  name: string;
  /** The password field of /etc/passwd: 'x' when the hash is in /etc/shadow. */
  password: string;
  uid: number;
  shell: string;
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    // NIS/compat lines (+, -) name no local account.
    if (!line.trim() || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const f = line.split(':');
    if (f.length < 7) continue;
    const uid = Number(f[2]);
    if (!Number.isInteger(uid)) continue;
    out.push({ name: f[0]!, password: f[1]!, uid, shell: f[6]!.trim() });
  }
  return out;
}

/** Account name -> password field of /etc/shadow. */
export function parseShadow(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const f = line.split(':');
    if (f.length < 2) continue;
    out.set(f[0]!, f[1]!);
  }
  return out;
}

export interface AccountFindings {
  /** UID 0 accounts other than root. */
  extraRoot: string[];
  /** Accounts anyone can log in to without a password (empty hash in shadow, or in passwd itself). */
  emptyPassword: string[];
  /** Accounts with a log-in shell whose password is locked ('!' or '*'); undefined without shadow. */
  locked: string[] | undefined;
}

export function judgeAccounts(passwd: PasswdEntry[], shadow: Map<string, string> | undefined): AccountFindings {
  const extraRoot = passwd.filter((a) => a.uid === 0 && a.name !== 'root').map((a) => a.name);
  const empty = new Set<string>();
  // A hash right in /etc/passwd (no 'x') is what the system uses; empty there means no password, shadow or not.
  for (const a of passwd) if (a.password === '') empty.add(a.name);
  let locked: string[] | undefined;
  if (shadow) {
    locked = [];
    for (const a of passwd) {
      const pw = a.password === 'x' ? shadow.get(a.name) : undefined;
      if (pw === undefined) continue;
      if (pw === '') empty.add(a.name);
      else if ((pw.startsWith('!') || pw.startsWith('*')) && !NO_LOGIN_SHELL.test(a.shell) && a.shell !== '') locked.push(a.name);
    }
  }
  return { extraRoot, emptyPassword: [...empty], locked };
}

/** The log-pattern check's memory kept apart from ours, under its own prefix. */
function prefixedState(state: CheckState, prefix: string): CheckState {
  return { get: (key) => state.get(prefix + key), set: (key, value) => state.set(prefix + key, value) };
}

/** Does the file exist (and can we stat it) on the host, wherever the check runs. */
async function exists(ctx: CheckContext, path: string): Promise<boolean> {
  const r = await ctx.exec.exec('test', ['-e', path], { timeoutMs: 5000, signal: ctx.signal });
  return r.code === 0;
}

interface FailedLogins {
  status: Status;
  part: CheckMessagePart;
  count?: number;
  lines?: string;
}

/**
 * Failed log-ins since the last run: the log-pattern check's incremental reader (byte offset, rotation and
 * copytruncate handled) on the auth log, its position kept in this check's state under `auth.`.
 */
async function failedLogins(ctx: CheckContext, p: AccountsParams): Promise<FailedLogins> {
  let path = p.authLog;
  if (path === undefined) {
    for (const candidate of DEFAULT_AUTH_LOGS) {
      if (await exists(ctx, candidate)) {
        path = candidate;
        break;
      }
    }
    // A journald-only host has no auth log to count in; the accounts themselves are still judged.
    if (path === undefined) return { status: 'OK', part: part('system.accounts.noAuthLog', { paths: DEFAULT_AUTH_LOGS.join(', ') }) };
  }
  const firstRun = ctx.state.get('auth.cursor') === undefined;
  const r = await logPattern.run(
    { ...ctx, state: prefixedState(ctx.state, 'auth.') },
    logPattern.params.parse({ path, pattern: p.failedPattern, warnCount: p.failedWarnCount, critCount: p.failedCritCount, maxLinesInDetails: 20 }),
  );
  if (r.status === 'UNKNOWN' || !r.metrics?.length) {
    const msg = r.message;
    return { status: 'UNKNOWN', part: msg ? { key: msg.key, values: msg.values } : part('system.read.failed', { path, error: r.summary }) };
  }
  const count = Number(r.metrics[0]!.fields.matches ?? 0);
  if (firstRun) return { status: 'OK', part: part('system.accounts.failedFirstRun', { path }), count };
  return { status: r.status, part: part('system.accounts.failed', { count }), count, lines: r.details };
}

function readError(err: unknown): { denied: boolean; text: string } {
  const text = err instanceof Error ? err.message : String(err);
  return { denied: /EACCES|EPERM|permission denied/i.test(text), text: text.slice(0, 300) };
}

/**
 * Local accounts as a security inspection sees them: UID 0 accounts besides root and accounts without a password
 * (CRITICAL: anyone is root, or anyone logs in), locked accounts with a log-in shell (information), and failed
 * log-ins in the auth log since the last run (password guessing, against thresholds). /etc/shadow needs root:
 * where it cannot be read the check says so and is UNKNOWN unless something it could read is already CRITICAL.
 */
export default defineCheck({
  id: 'system.accounts',
  title: { en: 'Accounts and log-ins', zh: '账号与登录安全' },
  params: AccountsParams,
  async run(ctx, p) {
    let passwdText: string;
    try {
      passwdText = await ctx.exec.readFile(p.passwd);
    } catch (err) {
      return { status: 'UNKNOWN', ...say('system.read.failed', { path: p.passwd, error: readError(err).text }) };
    }
    const passwd = parsePasswd(passwdText);
    let shadow: Map<string, string> | undefined;
    let shadowProblem: { denied: boolean; text: string } | undefined;
    try {
      shadow = parseShadow(await ctx.exec.readFile(p.shadow));
    } catch (err) {
      shadowProblem = readError(err);
    }
    const found = judgeAccounts(passwd, shadow);
    const failed = await failedLogins(ctx, p);

    const statuses: Status[] = [failed.status];
    if (found.extraRoot.length || found.emptyPassword.length) statuses.push('CRITICAL');
    if (shadowProblem) statuses.push('UNKNOWN');
    const names = (list: string[]) => list.slice(0, MAX_NAMES_IN_SUMMARY).join(', ') + (list.length > MAX_NAMES_IN_SUMMARY ? ', …' : '');
    const locked = found.locked;
    const values = {
      lockedCount: locked?.length ? locked.length : undefined,
      lockedNames: locked?.length ? names(locked) : undefined,
      noLocked: locked && !locked.length ? 1 : undefined,
      extraRoot: found.extraRoot.length ? names(found.extraRoot) : undefined,
      noExtraRoot: found.extraRoot.length ? undefined : 1,
      emptyPassword: found.emptyPassword.length ? names(found.emptyPassword) : undefined,
      noEmptyPassword: !found.emptyPassword.length && shadow ? 1 : undefined,
      shadowDenied: shadowProblem?.denied ? p.shadow : undefined,
      // Debian's group for reading /etc/shadow (RHEL keeps it for root only).
      shadowGroup: shadowProblem?.denied ? 'shadow' : undefined,
      shadowUnreadable: shadowProblem && !shadowProblem.denied ? p.shadow : undefined,
      shadowError: shadowProblem && !shadowProblem.denied ? shadowProblem.text : undefined,
    };
    const details = [
      found.extraRoot.length ? `UID 0 besides root: ${found.extraRoot.join(' ')}` : '',
      found.emptyPassword.length ? `empty password: ${found.emptyPassword.join(' ')}` : '',
      locked?.length ? `locked: ${locked.join(' ')}` : '',
      failed.lines ? `failed log-ins:\n${failed.lines}` : '',
    ].filter(Boolean).join('\n');
    const fields: FieldsOf<typeof ACCOUNTS> = {
      accounts: passwd.length,
      uid0_extra: found.extraRoot.length,
      empty_password: found.emptyPassword.length,
    };
    if (locked) fields.locked = locked.length;
    if (failed.count !== undefined && failed.part.key === 'system.accounts.failed') fields.failed_logins = failed.count;
    return {
      status: worstStatus(statuses),
      ...say('system.accounts.summary', values, [failed.part]),
      details: details || undefined,
      metrics: [{ measurement: ACCOUNTS.name, fields }],
    };
  },
});
