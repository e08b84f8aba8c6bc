import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processesOf, type RunningSshd } from '../helpers/sshd.js';

/** Helpers shared by the `patrol deploy` stories: run the real CLI, read its table, look at a "host". */

export interface PatrolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `patrol deploy ARGS` as an engineer runs it; `credentials` become PATROL_USER / PATROL_PASSWORD. */
export function patrolDeploy(args: string[], credentials?: { user: string; password: string }): Promise<PatrolRun> {
  // Asynchronous on purpose: the collector the agents report to runs in the test's process.
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.PATROL_USER;
    delete env.PATROL_PASSWORD;
    if (credentials) Object.assign(env, { PATROL_USER: credentials.user, PATROL_PASSWORD: credentials.password });
    const child = spawn(process.execPath, ['bin/patrol.js', 'deploy', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The result table row of a host: [host, result, action, version, service, reason]. */
export function resultRow(stdout: string, host: string): string[] {
  const line = stdout.split('\n').find((l) => l.startsWith(`${host} `));
  if (!line) throw new Error(`no row for ${host} in:\n${stdout}`);
  return line.split(/\s{2,}/);
}

/** A customer host: an sshd with its own user, and the folder deploy installs into. */
export interface DeployHost {
  name: string;
  sshd: RunningSshd;
  installDir: string;
}

export const credentialsOf = (h: DeployHost) =>
  existsSync(join(h.installDir, 'state', 'credentials.json'))
    ? (JSON.parse(readFileSync(join(h.installDir, 'state', 'credentials.json'), 'utf8')) as { agentId: string; hostId: string; customerId: string })
    : undefined;

export const agentConfigOf = (h: DeployHost) => JSON.parse(readFileSync(join(h.installDir, 'agent.json'), 'utf8')) as Record<string, unknown>;

/**
 * Command lines of the agents a user runs. A process an agent forks to run a check carries the agent's command
 * line until it execs its program (seen in a third of /proc samples while a node process spawns in a loop), so a
 * process whose parent is an agent is that agent's child, not a second agent.
 */
export function agentProcessesOf(user: string): string[] {
  const agents = new Map<number, string>();
  const parents = new Map<number, number>();
  for (const pid of processesOf(user)) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (!cmdline.includes('patrol-agent.mjs')) continue;
      // Field 4 of stat, after the command name in parentheses (which may itself hold spaces or parentheses).
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      agents.set(pid, cmdline);
      parents.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  return [...agents].filter(([pid]) => !agents.has(parents.get(pid)!)).map(([, cmdline]) => cmdline);
}

export const agentProcesses = (h: DeployHost): string[] => agentProcessesOf(h.sshd.user);

/** Kill what a host's user still runs, drop its crontab (userdel leaves it behind) and stop its sshd (afterAll). */
export async function stopDeployHost(h: DeployHost): Promise<void> {
  try {
    execFileSync('crontab', ['-r', '-u', h.sshd.user], { stdio: 'ignore' });
  } catch {
    // had none
  }
  for (const pid of processesOf(h.sshd.user)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  await h.sshd.stop();
}
