import { existsSync } from 'node:fs';
import type { NodeSSH } from 'node-ssh';
import { connectPinned, HostKeyMismatchError, type KnownHosts } from '../shared/ssh-connect.js';
import { createLogger } from '../shared/logger.js';
import {
  caFileFor,
  ensureCronLines,
  forgetEnrollment,
  installAgent,
  readInstalledCa,
  reconfigureAgent,
  startService,
  stateDirFor,
  stopService,
  uninstallAgent,
  upgradeAgent,
  type AgentSettings,
  type InstallTarget,
} from './agent-install.js';
import { allowListConfig, readInstalledConfig, readInstalledIdentity, waitForEnrollment, type AllowListFlags, type InstalledIdentity } from './agent-files.js';
import type { AgentBundle } from './bundle.js';
import { waitUntilOnline, type CollectorApi, type CollectorHostView, type EnrollmentTokenRecord } from './collector-api.js';
import { hostProblem, probeHost, type HostFacts, type ServiceKind } from './host-probe.js';
import { collectorTags, hostLabel, type InventoryHost } from './inventory.js';
import { mapWithLimit } from './map-with-limit.js';
import { RemoteShell } from './remote-shell.js';

const log = createLogger('deploy');

export type DeployMode = 'install' | 'upgrade' | 'uninstall';

/** `enrolled`: an installed agent that had never enrolled got a fresh token and enrolled now. */
export type DeployAction = 'installed' | 'upgraded' | 'reconfigured' | 'enrolled' | 'unchanged' | 'started' | 'uninstalled' | 'absent';

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
  /** Used once, for a host of the token's customer (tokens work once); others get one minted via the API. */
  enrollToken?: string;
  /** PEM of the CA that signed the collector's certificate (--ca-file): put on every host as installDir/ca.pem. */
  caPem?: string;
  /** The collector CA's pin (`sha256:...`, checked by deploy): written into agent.json as caPin, so the agent pins that CA. */
  caPin?: string;
  /** Written into agent.json: the agent may use plain ws:// to another machine. */
  insecure?: boolean;
  api: CollectorApi;
  knownHosts: KnownHosts;
  concurrency: number;
  /** Skip waiting for the collector to list the agent online (and so setting its tags). */
  noWait?: boolean;
  onlineTimeoutMs: number;
  progress(host: string, message: string): void;
  /** --allow-command-dir / --allow-command: written into each agent.json (the agent's own allow-list). */
  allowList?: AllowListFlags;
}

/** Why a token the collector knows cannot enroll anything now, or undefined when it can. */
function tokenUnusable(t: EnrollmentTokenRecord, now: number): string | undefined {
  if (t.revokedAt !== null) return 'was revoked';
  if (t.usedAt !== null) return 'was used already (tokens work once)';
  if (t.expiresAt <= now) return 'has expired';
  return undefined;
}

/**
 * Hands out enrollment tokens, each only to a host of the token's own customer: the host's `enrollToken`, else
 * --enroll-token once, else one minted through the API for the host's customer. With API credentials a given
 * token's customer is looked up on the collector before any host gets it. Without them it cannot be known
 * beforehand: the token then goes to the first host that needs one, and the customer the agent enrolled into
 * is checked afterwards (enforceCustomer), as it is for every agent.
 */
class TokenSource {
  private sharedLookup?: Promise<EnrollmentTokenRecord | undefined>;
  private sharedHandedOut = false;

  constructor(private readonly o: DeployOptions) {}

  private lookup(token: string): Promise<EnrollmentTokenRecord | undefined> {
    return this.o.api.lookupEnrollmentToken(token).catch((err: Error) => {
      throw new Error(`cannot check the enrollment token's customer: ${err.message}`);
    });
  }

  async forHost(h: InventoryHost, say: (m: string) => void): Promise<string> {
    const { api } = this.o;
    if (h.enrollToken) {
      if (!api.hasCredentials) return h.enrollToken;
      const record = await this.lookup(h.enrollToken);
      if (record && record.customerId !== h.customer) {
        throw new Error(`the inventory's enrollToken of this host enrolls into customer ${record.customerId}, but its customer is ${h.customer}: fix the inventory`);
      }
      const unusable = record ? tokenUnusable(record, Date.now()) : 'is not recognised by the collector';
      if (!unusable) return h.enrollToken;
      say(`the inventory's enrollToken ${unusable}: minting a token for ${h.customer}`);
      return this.mint(h);
    }
    if (this.o.enrollToken !== undefined && !this.sharedHandedOut) {
      if (!api.hasCredentials) {
        this.sharedHandedOut = true;
        return this.o.enrollToken;
      }
      this.sharedLookup ??= this.lookup(this.o.enrollToken);
      const record = await this.sharedLookup;
      const unusable = record ? tokenUnusable(record, Date.now()) : 'is not recognised by the collector (mistyped, or of a customer this API user does not serve)';
      // Checked and taken in one synchronous step: hosts deployed at the same time never both get it.
      if (!unusable && record!.customerId === h.customer && !this.sharedHandedOut) {
        this.sharedHandedOut = true;
        return this.o.enrollToken;
      }
      if (unusable) say(`--enroll-token ${unusable}: minting a token for ${h.customer}`);
      else if (record!.customerId !== h.customer) say(`--enroll-token is for customer ${record!.customerId}: minting a token for ${h.customer}`);
    }
    return this.mint(h);
  }

  private mint(h: InventoryHost): Promise<string> {
    if (!this.o.api.hasCredentials) {
      throw new Error(
        this.o.enrollToken
          ? 'an enrollment token works once and --enroll-token was used by another host: give PATROL_USER/PATROL_PASSWORD so deploy can mint one per host, or enrollToken per host in the inventory'
          : 'no enrollment token: pass --enroll-token, give enrollToken in the inventory, or PATROL_USER/PATROL_PASSWORD to mint one',
      );
    }
    return this.o.api.createEnrollmentToken(h.customer, `patrol deploy ${hostLabel(h)}`);
  }
}

function sshFailureReason(err: unknown, h: InventoryHost): string {
  if (err instanceof HostKeyMismatchError) return `refused: ${err.message}`;
  const msg = (err as Error).message;
  if (/authentication methods failed/i.test(msg)) return `SSH login refused for ${h.user}@${h.host}:${h.port} with key ${h.key}`;
  return msg;
}

/**
 * Before an uninstall removes the agent's state (and with it the only copy of its id), revoke its key on
 * the collector, so a copy of the key left anywhere is worthless (the collector retires its host too). A failed
 * revocation removes nothing: the run can be repeated. Returns the note for the result table.
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

/**
 * Tenancy: an agent enrolled into another customer than its inventory entry streams one customer's host into
 * another's view. Stop it at once, revoke its key (its host on the collector is retired with it) and remove its
 * credentials, so the next run enrolls it under the right customer. Without API credentials, or when the
 * revocation fails, the agent stays stopped and keeps its credentials, so a later run can still revoke the key.
 * Returns the failure reason, or undefined when the customer is right.
 */
async function enforceCustomer(
  shell: RemoteShell,
  h: InventoryHost,
  target: InstallTarget,
  stateDir: string,
  identity: InstalledIdentity,
  o: DeployOptions,
  say: (m: string) => void,
): Promise<string | undefined> {
  if (identity.customerId === h.customer) return undefined;
  const { agentId } = identity;
  say(`the agent is enrolled under customer ${identity.customerId}, not ${h.customer}: stopping it and revoking its key`);
  await stopService(shell, target);
  let revoked: string;
  if (!o.api.hasCredentials) {
    revoked = `its key ${agentId} is NOT revoked (no PATROL_USER/PATROL_PASSWORD): run again with them, or POST /api/agents/${agentId}/revoke`;
  } else {
    try {
      await o.api.revokeAgent(agentId);
      await forgetEnrollment(shell, target, stateDir);
      revoked = `its key ${agentId} is revoked and its host there retired; run deploy again to enroll it under ${h.customer}`;
    } catch (err) {
      revoked = `revoking its key ${agentId} failed (${(err as Error).message}): run again, or POST /api/agents/${agentId}/revoke`;
    }
  }
  return `the agent enrolled into customer ${identity.customerId}, but the inventory says ${h.customer}: agent stopped, ${revoked}`;
}

/** agent.json's keys for how the agent trusts its collector: the CA pin, and whether plain ws:// to another machine is allowed. */
function trustSettings(o: Pick<DeployOptions, 'caPin' | 'insecure'>): { caPin?: string; insecure?: true } {
  return { ...(o.caPin !== undefined ? { caPin: o.caPin } : {}), ...(o.insecure ? { insecure: true as const } : {}) };
}

/** What changes in an installed agent's trust: a new pin (the move to wss), a CA file replaced by a pin, --insecure added or gone. */
function trustChanges(installed: Readonly<Record<string, unknown>> | undefined, o: DeployOptions): string[] {
  if (!installed) return [];
  const changes: string[] = [];
  if (o.caPin !== undefined && installed.caPin !== o.caPin) changes.push(installed.caPin ? `CA pin replaced by ${o.caPin}` : `CA pinned (${o.caPin})`);
  if (o.caPin !== undefined && o.caPem === undefined && installed.caFile !== undefined) changes.push(`CA file ${String(installed.caFile)} no longer used`);
  if (Boolean(installed.insecure) !== Boolean(o.insecure)) changes.push(o.insecure ? 'plain ws:// allowed (--insecure)' : 'plain ws:// no longer allowed');
  return changes;
}

const sameTags = (a: readonly string[], b: readonly string[]) => [...new Set(a)].sort().join('\n') === [...new Set(b)].sort().join('\n');

async function deployOne(h: InventoryHost, o: DeployOptions, tokens: TokenSource): Promise<HostResult> {
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
    const failed = (reason: string, version = facts.installedVersion): HostResult => ({ host: label, ok: false, reason, version, service: kind });
    const caFile = caFileFor(h.installDir);
    const notes: string[] = [];

    // What is there already: where it connects, with which CA, and whether (and as whom) it ever enrolled.
    const installed = facts.installedVersion ? await readInstalledConfig(shell, h.installDir, kind) : undefined;
    const stateDir = installed?.stateDir ?? stateDirFor(target);
    let identity = facts.installedVersion ? await readInstalledIdentity(shell, stateDir, kind) : undefined;
    if (identity) {
      const wrong = await enforceCustomer(shell, h, target, stateDir, identity, o, say);
      if (wrong) return failed(wrong);
    }
    const changes: string[] = [];
    if (installed && installed.collector !== o.collectorUrl) changes.push(`collector ${installed.collector} -> ${o.collectorUrl}`);
    let caPem: string | undefined;
    if (installed && o.caPem !== undefined && (installed.caFile !== caFile || (await readInstalledCa(shell, h.installDir))?.trim() !== o.caPem.trim())) {
      caPem = o.caPem;
      changes.push(installed.caFile === undefined ? `CA certificate ${caFile} added` : `CA certificate ${caFile} replaced`);
    }
    changes.push(...trustChanges(installed, o));
    const config: Record<string, unknown> = { name, stateDir, ...installed, collector: o.collectorUrl, ...(o.caPem !== undefined ? { caFile } : {}), ...trustSettings(o) };
    // A pin replaces a CA file (the collector's own CA now); plain ws:// stays allowed only while asked for.
    if (o.caPin !== undefined && o.caPem === undefined) delete config.caFile;
    if (!o.insecure) delete config.insecure;
    const allow = allowListConfig(installed, o.allowList);
    if (allow.change) changes.push(allow.change);
    Object.assign(config, allow.config);
    const changed = changes.length ? `${changes.join(', ')}: agent.json rewritten, key and state kept` : undefined;

    let action: DeployAction;
    let tokenWritten = false;
    if (!facts.installedVersion) {
      say(`installing agent ${want} into ${h.installDir} (${kind})`);
      const token = await tokens.forHost(h, say);
      const fresh = { collector: o.collectorUrl, enroll: token, name, stateDir: stateDirFor(target), ...(o.caPem !== undefined ? { caFile } : {}), ...trustSettings(o) };
      await installAgent(shell, o.bundle, target, { ...fresh, ...allow.config }, o.caPem);
      action = 'installed';
      tokenWritten = true;
    } else if (facts.installedVersion !== want) {
      if (o.mode !== 'upgrade') return failed(`agent ${facts.installedVersion} is installed: run with --upgrade to replace it with ${want}`);
      let settings: AgentSettings | undefined = changes.length ? { config, caPem } : undefined;
      if (!identity) {
        say('the agent never enrolled (no credentials.json): writing a fresh enrollment token');
        settings = { config: { ...config, enroll: await tokens.forHost(h, say) }, caPem };
        tokenWritten = true;
      }
      say(`upgrading ${facts.installedVersion} -> ${want} (state and spool kept)${changes.length ? `, ${changes.join(', ')}` : ''}`);
      await upgradeAgent(shell, o.bundle, target, settings);
      action = 'upgraded';
      if (changed) notes.push(changed);
    } else if (!identity) {
      // A first install that never enrolled (a mistyped or expired token, the collector unreachable then): the
      // token in agent.json is spent or wrong, and restarting alone would fail the same way.
      say('the agent never enrolled (no credentials.json): stopping it, writing a fresh enrollment token, starting it');
      await reconfigureAgent(shell, target, { config: { ...config, enroll: await tokens.forHost(h, say) }, caPem });
      action = 'enrolled';
      tokenWritten = true;
      if (changes.length) notes.push(changes.join(', '));
    } else if (changes.length) {
      if (o.mode !== 'upgrade') {
        const moved = installed && installed.collector !== o.collectorUrl;
        return failed(
          moved
            ? `the agent connects to ${installed.collector}: run with --upgrade to move it to ${o.collectorUrl}`
            : `${changes.join(', ')} for the agent: run with --upgrade to apply it`,
          want,
        );
      }
      say(`${changes.join(', ')} (state and spool kept)`);
      await reconfigureAgent(shell, target, { config, caPem });
      action = 'reconfigured';
      if (changed) notes.push(changed);
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
    if (cron.note) {
      say(cron.note);
      notes.push(cron.note);
    }

    if (tokenWritten) {
      say('waiting for the agent to enroll');
      identity = await waitForEnrollment(shell, target, stateDir, { timeoutMs: o.onlineTimeoutMs });
      const wrong = await enforceCustomer(shell, h, target, stateDir, identity, o, say);
      if (wrong) return failed(wrong, want);
      say(`enrolled under customer ${identity.customerId} (host ${identity.hostId})`);
    }

    const tags = collectorTags(h);
    if (!o.noWait) {
      say(`waiting for the collector to list "${name}" online`);
      const online = await waitUntilOnline(o.api, { name, customerId: h.customer, hostId: identity?.hostId, version: want, timeoutMs: o.onlineTimeoutMs });
      if (tags) notes.push(...(await applyTags(o.api, online, tags, say)));
    } else if (tags) {
      notes.push('tags not set (--no-wait)');
    }
    say(`${action}${o.noWait ? '' : ', online'}`);
    return { host: label, ok: true, action, version: want, service: kind, reason: notes.join('; ') || undefined };
  } catch (err) {
    log.debug({ host: label, err }, 'deploy step failed');
    return { host: label, ok: false, reason: (err as Error).message };
  } finally {
    ssh.dispose();
  }
}

/** The inventory's tags (and role) on the collector's host, so templates assigned by tag reach it. Returns notes. */
async function applyTags(api: CollectorApi, host: CollectorHostView, tags: string[], say: (m: string) => void): Promise<string[]> {
  if (sameTags(host.tags, tags)) return [];
  say(`tags on the collector: ${host.tags.join(', ') || '(none)'} -> ${tags.join(', ') || '(none)'}`);
  try {
    await api.setHostTags(host.id, tags);
  } catch (err) {
    throw new Error(`the agent is online, but setting its tags failed: ${(err as Error).message}`);
  }
  return [`tags set: ${tags.join(', ') || '(none)'}`];
}

/** Deploy (install, upgrade or uninstall) to every host, at most `concurrency` at a time; one result per host, in inventory order. */
export async function runDeploy(o: DeployOptions): Promise<HostResult[]> {
  const tokens = new TokenSource(o);
  return mapWithLimit(o.hosts, Math.max(1, o.concurrency), async (h) => {
    const r = await deployOne(h, o, tokens);
    if (!r.ok) o.progress(r.host, `failed: ${r.reason}`);
    return r;
  });
}
