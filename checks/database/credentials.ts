import { z } from 'zod';

/**
 * How a database check gets its password: straight in the params (from the agent's config file) or, better,
 * from an environment variable named in the params, so the secret never travels in an assignment frame.
 */
export const PasswordParams = {
  password: z.string().optional(),
  /** Name of an environment variable that holds the password; wins over `password`. */
  passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').optional(),
};

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
export function prepareDbRun(p: PasswordSource & { host: string; port: number; timeoutSec: number }): DbRunSetup | { error: string } {
  const secret = resolvePassword(p);
  if ('error' in secret) return { error: secret.error };
  return {
    where: `${p.host}:${p.port}`,
    password: secret.password,
    scrub: (text) => scrubSecrets(text, [secret.password]),
    timeoutMs: Math.round(p.timeoutSec * 1000),
  };
}
