import { existsSync } from 'node:fs';
import type { NodeSSH } from 'node-ssh';
import { connectPinned, HostKeyMismatchError, type KnownHosts } from '../shared/ssh-connect.js';
import { createLogger } from '../shared/logger.js';
import { ensureCronLines, installAgent, reconfigureAgent, startService, stateDirFor, uninstallAgent, upgradeAgent, type InstallTarget } from './agent-install.js';
import { readInstalledConfig, readInstalledIdentity } from './agent-files.js';
import type { AgentBundle } from './bundle.js';
import { waitUntilOnline, type CollectorApi } from './collector-api.js';
import { hostProblem, probeHost, type HostFacts, type ServiceKind } from './host-probe.js';
import { hostLabel, type InventoryHost } from './inventory.js';
import { mapWithLimit } from './map-with-limit.js';
import { RemoteShell } from './remote-shell.js';

const log = createLogger('deploy');

export type DeployMode = 'install' | 'upgrade' | 'uninstall';

export type DeployAction = 'installed' | 'upgraded' | 'reconfigured' | 'unchanged' | 'started' | 'uninstalled' | 'absent';

export interface HostResult {
  host: string;
  ok: boolean;
  action?: DeployAction;
  /** Why it failed, or a note on success. */
  reason?: string;
  version?: string;
  service?: ServiceKind;
}

export interface DeployOptions {
  hosts: InventoryHost[];
  bundle: AgentBundle;
  mode: DeployMode;
  collectorUrl: string;
  /** Used for the first host that needs enrolling (tokens work once); others get one minted via the API. */
  enrollToken?: string;
  api: CollectorApi;
  knownHosts: KnownHosts;
  concurrency: number;
  /** Skip waiting for the collector to list the agent online. */
  noWait?: boolean;
  onlineTimeoutMs: number;
  progress(host: string, message: string): void;
}

/** Hands out enrollment tokens: the host's own, then --enroll-token once, then one minted per host. */
function tokenSource(o: DeployOptions) {
  let sharedUnused = o.enrollToken !== undefined;
  return async (h: InventoryHost): Promise<string> => {
    if (h.enrollToken) return h.enrollToken;
    if (sharedUnused && o.enrollToken) {
      sharedUnused = false;
      return o.enrollToken;
    }
    if (!o.api.hasCredentials) {
      throw new Error(
        o.enrollToken
          ? 'an enrollment token works once and --enroll-token was used by another host: give PATROL_USER/PATROL_PASSWORD so deploy can mint one per host, or enrollToken per host in the inventory'
          : 'no enrollment token: pass --enroll-token, give enrollToken in the inventory, or PATROL_USER/PATROL_PASSWORD to mint one',
      );
    }
    return o.api.createEnrollmentToken(h.customer, `patrol deploy ${hostLabel(h)}`);
  };
}

function sshFailureReason(err: unknown, h: InventoryHost): string {
  if (err instanceof HostKeyMismatchError) return `refused: ${err.message}`;
  const msg = (err as Error).message;
  if (/authentication methods failed/i.test(msg)) return `SSH login refused for ${h.user}@${h.host}:${h.port} with key ${h.key}`;
  return msg;
}

/**
 * Before an uninstall removes the agent's state (and with it the only copy of its id), revoke its key on
 * the collector, so a copy of the key left anywhere is worthless. A failed revocation removes nothing: the
 * run can be repeated. Returns the note for the result table.
 */
async function revokeInstalledAgent(shell: RemoteShell, h: InventoryHost, facts: HostFacts, o: DeployOptions, say: (m: string) => void): Promise<string> {
  const kind = facts.installedKind;
  const config = await readInstalledConfig(shell, h.installDir, kind);
  const stateDir = config?.stateDir ?? stateDirFor({ installDir: h.installDir, kind: kind ?? 'background' });
  const identity = await readInstalledIdentity(shell, stateDir, kind);
  if (!identity) return 'agent had not enrolled: no key to revoke';
  const { agentId } = identity;
  if (!o.api.hasCredentials) return `agent key ${agentId} NOT revoked (no PATROL_USER/PATROL_PASSWORD): POST /api/agents/${agentId}/revoke`;
  say(`revoking agent key ${agentId} on the collector`);
  try {
    await o.api.revokeAgent(agentId);
  } catch (err) {
    throw new Error(`nothing removed: revoking agent key ${agentId} on the collector failed (${(err as Error).message}); fix that and run again`);
  }
  return `agent key ${agentId} revoked on the collector`;
}

async function deployOne(h: InventoryHost, o: DeployOptions, nextToken: (h: InventoryHost) => Promise<string>): Promise<HostResult> {
  const label = hostLabel(h);
  const say = (m: string) => o.progress(label, m);
  if (!existsSync(h.key)) return { host: label, ok: false, reason: `SSH key file ${h.key} not found` };

  say(`connecting to ${h.user}@${h.host}:${h.port}`);
  let ssh: NodeSSH;
  try {
    ssh = await connectPinned({ host: h.host, port: h.port, username: h.user, privateKeyPath: h.key }, o.knownHosts);
  } catch (err) {
    return { host: label, ok: false, reason: sshFailureReason(err, h) };
  }
  let loginIsRoot = false;
  const shell = new RemoteShell(ssh, { sudo: h.sudo, loginIsRoot: () => loginIsRoot });
  try {
    const facts = await probeHost(shell, h.installDir, h.nodePath);
    loginIsRoot = facts.uid === 0;
    const name = h.name ?? facts.hostname;
    say(`${facts.os} ${facts.arch}, Node.js ${facts.nodeVersion || 'missing'}, ${facts.hasSystemd ? 'systemd' : 'no systemd'}${facts.installedVersion ? `, agent ${facts.installedVersion} installed` : ''}`);

    if (o.mode === 'uninstall') {
      if (!facts.installedVersion && !facts.installedKind) return { host: label, ok: true, action: 'absent', reason: `nothing installed in ${h.installDir}` };
      const revoked = await revokeInstalledAgent(shell, h, facts, o, say);
      say('stopping and removing the agent');
      const note = await uninstallAgent(shell, h.installDir, facts.installedKind);
      return { host: label, ok: true, action: 'uninstalled', reason: [revoked, note].filter(Boolean).join('; '), version: facts.installedVersion, service: facts.installedKind };
    }

    const problem = hostProblem(facts);
    if (problem) return { host: label, ok: false, reason: problem };
    const kind: ServiceKind = facts.installedKind ?? (facts.hasSystemd ? 'systemd' : 'background');
    if (kind === 'systemd' && !shell.canBeRoot) {
      return { host: label, ok: false, reason: `systemd runs here, and installing its service needs root: set sudo: true for ${label} or log in as root` };
    }
    const target: InstallTarget = { installDir: h.installDir, nodePath: facts.nodePath, kind, loginUser: h.user };
    const want = o.bundle.version;
    let action: DeployAction;
    let note: string | undefined;
    // An installed agent that connects elsewhere than --collector says (the collector moved).
    const installed = facts.installedVersion ? await readInstalledConfig(shell, h.installDir, kind) : undefined;
    const moved = installed && installed.collector !== o.collectorUrl ? installed : undefined;
    const movedConfig = moved ? { ...moved, collector: o.collectorUrl } : undefined;
    if (moved) note = `collector ${moved.collector} -> ${o.collectorUrl}: agent.json rewritten, key and state kept`;

    if (!facts.installedVersion) {
      say(`installing agent ${want} into ${h.installDir} (${kind})`);
      const token = await nextToken(h);
      await installAgent(shell, o.bundle, target, { collector: o.collectorUrl, enroll: token, name, stateDir: stateDirFor(target) });
      action = 'installed';
    } else if (facts.installedVersion !== want) {
      if (o.mode !== 'upgrade') {
        return { host: label, ok: false, reason: `agent ${facts.installedVersion} is installed: run with --upgrade to replace it with ${want}`, version: facts.installedVersion, service: kind };
      }
      say(`upgrading ${facts.installedVersion} -> ${want} (state and spool kept)${moved ? `, collector -> ${o.collectorUrl}` : ''}`);
      await upgradeAgent(shell, o.bundle, target, movedConfig);
      action = 'upgraded';
    } else if (moved && movedConfig) {
      if (o.mode !== 'upgrade') {
        return { host: label, ok: false, reason: `the agent connects to ${moved.collector}: run with --upgrade to move it to ${o.collectorUrl}`, version: want, service: kind };
      }
      say(`moving the agent to ${o.collectorUrl} (state and spool kept)`);
      await reconfigureAgent(shell, target, movedConfig);
      action = 'reconfigured';
    } else if (facts.running) {
      action = 'unchanged';
    } else {
      say(`agent ${want} installed but not running: starting it`);
      await startService(shell, target);
      action = 'started';
    }

    // Background mode: the login user's crontab brings the agent back after a reboot or a crash.
    const cron = await ensureCronLines(shell, target);
    if (cron.changed) say('crontab: start after a reboot, and a watchdog every 5 minutes');
    if (cron.note) say(cron.note);
    note = [note, cron.note].filter(Boolean).join('; ') || undefined;

    if (!o.noWait) {
      say(`waiting for the collector to list "${name}" online`);
      await waitUntilOnline(o.api, { name, customerId: h.customer, version: want, timeoutMs: o.onlineTimeoutMs });
    }
    say(`${action}${o.noWait ? '' : ', online'}`);
    return { host: label, ok: true, action, version: want, service: kind, reason: note };
  } catch (err) {
    log.debug({ host: label, err }, 'deploy step failed');
    return { host: label, ok: false, reason: (err as Error).message };
  } finally {
    ssh.dispose();
  }
}

/** Deploy (install, upgrade or uninstall) to every host, at most `concurrency` at a time; one result per host, in inventory order. */
export async function runDeploy(o: DeployOptions): Promise<HostResult[]> {
  const nextToken = tokenSource(o);
  return mapWithLimit(o.hosts, Math.max(1, o.concurrency), async (h) => {
    const r = await deployOne(h, o, nextToken);
    if (!r.ok) o.progress(r.host, `failed: ${r.reason}`);
    return r;
  });
}
