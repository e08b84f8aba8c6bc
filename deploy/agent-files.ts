import { z } from 'zod';
import { shq, type RemoteShell } from './remote-shell.js';
import type { ServiceKind } from './host-probe.js';
import { agentLogTail, agentRunning, agentSentence, type InstallTarget } from './agent-install.js';

/**
 * Reading what an installed agent holds on its host: agent.json (where it connects) and the credentials
 * the agent wrote into its state folder when it enrolled (its id on the collector). Files of a systemd
 * install belong to the `patrol` user with mode 0600, so they are read as root there.
 */

/** agent.json as deploy writes it; keys we do not know (spoolLimitMb, ...) are kept as they are. */
export const InstalledConfigSchema = z.looseObject({
  collector: z.string().min(1),
  stateDir: z.string().min(1).optional(),
  name: z.string().optional(),
  enroll: z.string().optional(),
  caFile: z.string().optional(),
});
export type InstalledConfig = z.infer<typeof InstalledConfigSchema>;

/** The part of the agent's credentials.json deploy needs (never the key itself). */
const CredentialsIdSchema = z.object({ agentId: z.string().min(1), hostId: z.string().min(1), customerId: z.string().min(1) });
export type InstalledIdentity = z.infer<typeof CredentialsIdSchema>;

async function readJson(shell: RemoteShell, path: string, root: boolean): Promise<unknown | undefined> {
  const r = await shell.exec(`cat ${shq(path)}`, { root });
  if (r.code !== 0) return undefined;
  try {
    return JSON.parse(r.stdout) as unknown;
  } catch {
    throw new Error(`${path} on the host is not valid JSON`);
  }
}

export async function readInstalledConfig(shell: RemoteShell, installDir: string, kind: ServiceKind | undefined): Promise<InstalledConfig | undefined> {
  const path = `${installDir}/agent.json`;
  const raw = await readJson(shell, path, kind === 'systemd');
  if (raw === undefined) return undefined;
  const parsed = InstalledConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path} on the host has no collector URL: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** The agent's id from <stateDir>/credentials.json, or undefined if it never enrolled. */
export async function readInstalledIdentity(shell: RemoteShell, stateDir: string, kind: ServiceKind | undefined): Promise<InstalledIdentity | undefined> {
  const path = `${stateDir}/credentials.json`;
  const raw = await readJson(shell, path, kind === 'systemd');
  if (raw === undefined) return undefined;
  const parsed = CredentialsIdSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path} on the host is damaged (no agentId)`);
  return parsed.data;
}

/**
 * After a start with a fresh enrollment token: wait until the agent has traded it for its key (credentials.json
 * appears), and return who it enrolled as. Rejects at once, with the agent's own sentence from its log, when it
 * stopped without enrolling (a mistyped, used or expired token; the collector unreachable), else after timeoutMs.
 */
export async function waitForEnrollment(
  shell: RemoteShell,
  t: Pick<InstallTarget, 'installDir' | 'kind'>,
  stateDir: string,
  o: { timeoutMs: number; everyMs?: number },
): Promise<InstalledIdentity> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const identity = await readInstalledIdentity(shell, stateDir, t.kind);
    if (identity) return identity;
    const running = await agentRunning(shell, t);
    // It may have enrolled and then stopped between the two looks.
    const late = running ? undefined : await readInstalledIdentity(shell, stateDir, t.kind);
    if (late) return late;
    if (!running || Date.now() >= deadline) {
      const said = agentSentence(await agentLogTail(shell, t));
      const where = t.kind === 'systemd' ? 'journalctl -u patrol-agent' : `${t.installDir}/log/agent.log`;
      throw new Error(
        running
          ? `the agent did not enroll within ${Math.round(o.timeoutMs / 1000)} s${said ? `: ${said}` : ` (see ${where})`}`
          : `the agent stopped without enrolling: ${said ?? `see ${where}`}`,
      );
    }
    await new Promise((r) => setTimeout(r, o.everyMs ?? 500));
  }
}

/** `patrol deploy --allow-command-dir` / `--allow-command`: what the collector may run on the hosts besides the plugin folders. */
export interface AllowListFlags {
  /** Folders whose programs may run with any arguments (agent.json allowCommandDirs). */
  commandDirs?: readonly string[];
  /** Exact command lines, words split at spaces (agent.json allowCommands). */
  commands?: readonly string[];
}

/**
 * The agent.json keys for the flags that were given (each replaces that key's list; a key not given stays as the
 * host has it, hand edits included), and the change against the installed agent.json, for the result table.
 * The agent checks the lists again when it starts (checks/exec/exec-policy.ts).
 */
export function allowListConfig(installed: InstalledConfig | undefined, flags: AllowListFlags = {}): { config: Record<string, unknown>; change?: string } {
  const config: Record<string, unknown> = {};
  const changed: string[] = [];
  for (const [key, value] of [['allowCommandDirs', flags.commandDirs], ['allowCommands', flags.commands]] as const) {
    if (!value?.length) continue;
    config[key] = [...value];
    if (installed && JSON.stringify(installed[key] ?? []) !== JSON.stringify(value)) changed.push(key);
  }
  return { config, ...(changed.length ? { change: `command allow-list (${changed.join(', ')}) set` } : {}) };
}
