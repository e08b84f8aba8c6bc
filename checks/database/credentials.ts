import { z } from 'zod';
import type { Said } from '../message-text.js';
import { say } from './messages.js';

/**
 * How a database check gets its password: from an environment variable named in the params (`passwordEnv`),
 * set on the agent host in the agent's environment file (`agent.env` in its install folder, read by the
 * systemd unit and by start.sh). The variable's name travels in assignment frames, the secret never does.
 * A literal `password` still works when a check is run directly (tests, a future agent-side config), but the
 * collector refuses it in templates and overrides and strips any stored one before it builds an assignment.
 */
export const PasswordParams = {
  password: z.string().optional(),
  /** Name of an environment variable that holds the password; wins over `password`. */
  passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').optional(),
};

/**
 * Parameters of the database checks whose value is a secret: never stored on the collector, never in a frame.
 * (`username` of Redis ACLs and `user` are names, not secrets; `passwordEnv` holds only a variable's name.)
 */
export const SECRET_PARAMS: readonly string[] = ['password'];

/** The secret parameters present in a parameter object (whatever their value, even empty). */
export function secretParamsIn(params: Readonly<Record<string, unknown>>): string[] {
  return SECRET_PARAMS.filter((k) => Object.hasOwn(params, k));
}

/** The parameters without their secrets, and which ones were taken out. */
export function withoutSecrets(params: Readonly<Record<string, unknown>>): { params: Record<string, unknown>; removed: string[] } {
  const removed = secretParamsIn(params);
  if (!removed.length) return { params: { ...params }, removed };
  return { params: Object.fromEntries(Object.entries(params).filter(([k]) => !removed.includes(k))), removed };
}

/**
 * Why these parameters cannot be stored on the collector, or undefined. The message names the parameter and
 * the way to do it instead, never the value.
 */
export function secretParamsProblem(params: Readonly<Record<string, unknown>>): string | undefined {
  const found = secretParamsIn(params);
  if (!found.length) return undefined;
  return (
    `'${found.join("', '")}' is not accepted: a password kept on the collector would travel to the agent in every config frame. ` +
    `Put it in the agent's environment file on that host (agent.env in the agent's install folder, mode 0600), e.g. PG_MONITOR_PASSWORD=..., ` +
    `and give the variable's name instead: "passwordEnv": "PG_MONITOR_PASSWORD" (docs/install-agent.md, "Database credentials")`
  );
}

/**
 * On the collector (agentless hosts), passwordEnv names carry this prefix: the collector's environment also holds
 * its own secrets (PATROL_ADMIN_PASSWORD, ...), which a template must never be able to send to a target.
 */
export const COLLECTOR_PASSWORD_ENV_PREFIX = 'PATROL_CHECK_';

/** Where a check reads passwordEnv: an agent's environment (its agent.env) or the collector's. */
export type PasswordEnvSide = 'agent' | 'collector';

/**
 * Why a passwordEnv name may not be read where the check runs, or undefined. The collector reads only
 * PATROL_CHECK_* names. An agent reads the names of its agent.env freely, but never its own settings (PATROL_*,
 * such as PATROL_ENROLL_TOKEN), except PATROL_CHECK_* ones.
 */
export function passwordEnvProblem(
  name: string,
  side: PasswordEnvSide,
): { rule: string; ruleZh: string; values: { prefix: string; onCollector?: 1; onAgent?: 1 } } | undefined {
  const prefix = COLLECTOR_PASSWORD_ENV_PREFIX;
  if (side === 'collector' && !name.startsWith(prefix)) {
    return {
      rule: `on the collector (agentless hosts) a passwordEnv name starts with ${prefix}, set in the collector's environment`,
      ruleZh: `在采集服务器上（无 Agent 主机），passwordEnv 名称须以 ${prefix} 开头，并在采集服务器的环境中设置`,
      // For the message key secret.refused.envName (checks/exec/refusal.ts), which says the same in zh and en.
      values: { prefix, onCollector: 1 },
    };
  }
  if (side === 'agent' && name.startsWith('PATROL_') && !name.startsWith(prefix)) {
    return {
      rule: `PATROL_* names are the agent's own settings (only ${prefix}* may hold a check's password); use another name in agent.env`,
      ruleZh: `PATROL_* 是 Agent 自身的设置（只有 ${prefix}* 可存放检查密码）；请在 agent.env 中使用其他名称`,
      values: { prefix, onAgent: 1 },
    };
  }
  return undefined;
}

export type PasswordSource = { password?: string; passwordEnv?: string };

/** The password to use, or a message (that never holds a secret) saying why there is none. */
export function resolvePassword(p: PasswordSource, env: NodeJS.ProcessEnv = process.env): { password?: string } | { error: string } {
  if (p.passwordEnv) {
    const value = env[p.passwordEnv];
    if (value === undefined) return { error: `environment variable ${p.passwordEnv} (the password) is not set` };
    return { password: value };
  }
  return { password: p.password };
}

/**
 * Remove secrets from text meant for a summary, details or a log line. Drivers sometimes echo the connection
 * string, so besides the known secrets, the password part of any URL (`scheme://user:secret@`) and any
 * `password=...` pair is masked too.
 */
export function scrubSecrets(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@')
    .replace(/\b(password|passwd|pwd|requirepass|masterauth)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s;,&]+)/gi, '$1$2***');
}

/** What every database check needs before it connects: where, the password, a scrubber, the time limit. */
export interface DbRunSetup {
  where: string;
  password?: string;
  scrub(text: string): string;
  timeoutMs: number;
}

/** The common start of a database check's run(); an error is the UNKNOWN summary to return. */
export function prepareDbRun(p: PasswordSource & { host: string; port: number; timeoutSec: number }): DbRunSetup | { error: Said } {
  const secret = resolvePassword(p);
  if ('error' in secret) return { error: say('db.password.envNotSet', { name: p.passwordEnv ?? '' }) };
  return {
    where: `${p.host}:${p.port}`,
    password: secret.password,
    scrub: (text) => scrubSecrets(text, [secret.password]),
    timeoutMs: Math.round(p.timeoutSec * 1000),
  };
}
