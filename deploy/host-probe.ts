import { z } from 'zod';
import { nodeVersionProblem } from './node-version.js';
import { shq, type RemoteShell } from './remote-shell.js';

export type ServiceKind = 'systemd' | 'background';

/** What one look at the host tells: OS, Node.js, init system, and what of ours is already there. */
export interface HostFacts {
  os: string;
  arch: string;
  nodePath: string;
  nodeVersion: string;
  hostname: string;
  uid: number;
  hasSystemd: boolean;
  hasTar: boolean;
  /** Version in <installDir>/VERSION, if installed. */
  installedVersion?: string;
  installedKind?: ServiceKind;
  running: boolean;
}

const ProbeSchema = z.object({
  os: z.string(),
  arch: z.string(),
  node: z.string(),
  nodeVersion: z.string(),
  hostname: z.string(),
  uid: z.coerce.number().int(),
  systemd: z.enum(['yes', 'no']),
  tar: z.string(),
  installed: z.string(),
  kind: z.string(),
  running: z.enum(['yes', 'no']),
});

/** One round trip: key=value lines from a POSIX script. */
function probeScript(installDir: string, nodePath?: string): string {
  const d = shq(installDir);
  return [
    'echo "os=$(uname -s)"',
    'echo "arch=$(uname -m)"',
    nodePath ? `NODE=${shq(nodePath)}` : 'NODE=$(command -v node || true)',
    'echo "node=$NODE"',
    'if [ -n "$NODE" ] && [ -x "$NODE" ]; then echo "nodeVersion=$("$NODE" --version 2>&1 | head -n 1)"; else echo "nodeVersion="; fi',
    'echo "hostname=$(hostname 2>/dev/null || uname -n)"',
    'echo "uid=$(id -u)"',
    'if [ -d /run/systemd/system ]; then echo systemd=yes; else echo systemd=no; fi',
    'echo "tar=$(command -v tar || true)"',
    `echo "installed=$(head -n 1 ${d}/VERSION 2>/dev/null || true)"`,
    `KIND=$(cat ${d}/service-kind 2>/dev/null || true); echo "kind=$KIND"`,
    'RUNNING=no',
    'if [ "$KIND" = systemd ]; then systemctl is-active --quiet patrol-agent.service && RUNNING=yes; fi',
    `if [ "$KIND" = background ] && [ -f ${d}/run/patrol-agent.pid ] && kill -0 "$(cat ${d}/run/patrol-agent.pid)" 2>/dev/null; then RUNNING=yes; fi`,
    'echo "running=$RUNNING"',
  ].join('\n');
}

export async function probeHost(shell: RemoteShell, installDir: string, nodePath?: string): Promise<HostFacts> {
  const out = await shell.run(probeScript(installDir, nodePath), { what: 'host check' });
  const kv: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  const p = ProbeSchema.parse(kv);
  return {
    os: p.os,
    arch: p.arch,
    nodePath: p.node,
    nodeVersion: p.nodeVersion,
    hostname: p.hostname,
    uid: p.uid,
    hasSystemd: p.systemd === 'yes',
    hasTar: p.tar !== '',
    installedVersion: p.installed || undefined,
    installedKind: p.kind === 'systemd' || p.kind === 'background' ? p.kind : undefined,
    running: p.running === 'yes',
  };
}

/** Why the agent cannot be installed on this host, or undefined. */
export function hostProblem(f: HostFacts): string | undefined {
  if (f.os !== 'Linux') return `unsupported OS ${f.os || '(unknown)'}: the agent service scripts are for Linux`;
  if (!f.nodePath) return 'Node.js not found on the login PATH: install Node.js or give nodePath in the inventory';
  if (!f.nodeVersion) return `${f.nodePath} is not an executable Node.js`;
  const tooOld = nodeVersionProblem(f.nodeVersion);
  if (tooOld) return tooOld;
  if (!f.hasTar) return '`tar` is missing on the host';
  return undefined;
}
