import type { CheckAssignment } from '../../shared/assignment.js';
import type { CheckResult } from '../../shared/check-result.js';
import { HostFactsSchema } from '../../shared/host-facts.js';
import type { Logger } from '../../shared/logger.js';
import type { BatchFrame } from '../../shared/protocol.js';
import { HostKeyMismatchError, KnownHosts } from '../../shared/ssh-connect.js';
import { runAssignment, type CheckRuntime } from '../../checks/run.js';
import { localExecutor } from '../../checks/exec/local-executor.js';
import { procSystemProbe } from '../../checks/system/proc-probe.js';
import type { SystemProbe } from '../../checks/system/probe.js';
import type { Db } from '../db/database.js';
import { setConnected, type Host } from '../db/hosts.js';
import type { MetricsStore } from '../metrics/store.js';
import type { IngestListener } from '../ingest/listener.js';
import { ingestBatch } from '../ingest/ingest.js';
import type { AssignmentSource } from '../assignment/source.js';
import { RemoteCheckStates } from './check-state-store.js';
import { ConcurrencyLimit } from './limit.js';
import { listRemoteHosts, type RemoteAccess, type RemoteHost } from './remote-hosts.js';
import { SshConnectionPool, type SshTarget } from './ssh-executor.js';

export interface RemotePollerOptions {
  db: Db;
  store: MetricsStore;
  listeners: readonly IngestListener[];
  assignments: AssignmentSource;
  now(): number;
  log: Logger;
  /** JSON file of pinned SSH host keys (in the collector's data folder). */
  knownHostsFile: string;
  /** Hosts polled at the same time; the rest wait their turn. */
  maxHostsAtOnce?: number;
  sshReadyTimeoutMs?: number;
}

/** Name of the result that says whether the collector could log in to an SSH host at all. */
export const SSH_REACHABLE_CHECK = 'ssh.reachable';

/** Checks that talk to a service on the host over the network: the poller points them at the host's address. */
const TARGETS_HOST_ADDRESS = /^(db\.|network\.snmp$)/;

/**
 * Runs the assigned checks of hosts without an agent (kinds ssh and snmp) in the collector, on their
 * intervals, with the very same runAssignment as the agent; results go through ingestBatch like an agent's
 * batch, so metrics, check states and ticket listeners see no difference. A host that cannot be reached gives
 * results that say why, never an exception.
 */
export class RemotePoller {
  private readonly ssh: SshConnectionPool;
  private readonly limit: ConcurrencyLimit;
  private readonly states: RemoteCheckStates;
  private readonly busy = new Set<string>();
  private readonly local = localExecutor();
  private closed = false;

  constructor(private readonly opts: RemotePollerOptions) {
    this.ssh = new SshConnectionPool({ knownHosts: new KnownHosts(opts.knownHostsFile), readyTimeoutMs: opts.sshReadyTimeoutMs });
    this.limit = new ConcurrencyLimit(opts.maxHostsAtOnce ?? 8);
    this.states = new RemoteCheckStates(opts.db);
  }

  /** Start a round for every host with a check due; resolves when those rounds are done. */
  async tick(): Promise<void> {
    if (this.closed) return;
    const now = this.opts.now();
    const rounds: Array<Promise<void>> = [];
    for (const rh of listRemoteHosts(this.opts.db)) {
      if (this.busy.has(rh.host.id)) continue; // its previous round is still running (slow host or waiting for a slot)
      const assigned = this.opts.assignments.forHost(rh.host);
      const lastRuns = this.states.lastRuns(rh.host.id);
      const due = assigned.filter((a) => {
        const last = lastRuns.get(a.name);
        return last === undefined || now - last >= a.intervalSec * 1000;
      });
      if (!due.length) continue;
      this.busy.add(rh.host.id);
      rounds.push(
        this.limit
          .run(() => this.pollHost(rh, assigned, due))
          .catch((err: Error) => this.opts.log.error({ err, host: rh.host.id }, 'remote poll failed'))
          .finally(() => this.busy.delete(rh.host.id)),
      );
    }
    await Promise.all(rounds);
  }

  private async pollHost({ host, access }: RemoteHost, assigned: CheckAssignment[], due: CheckAssignment[]): Promise<void> {
    const log = this.opts.log.child({ host: host.id, kind: host.kind });
    const startedAt = this.opts.now();
    const states = this.states.open(host.id);
    const results: CheckResult[] = [];
    let reachable = true;
    if (access.kind === 'ssh') {
      const target = sshTarget(access);
      const t0 = performance.now();
      try {
        await this.ssh.connect(target);
        results.push(reachability(startedAt, t0, 'OK', `logged in as ${access.user}@${access.address}:${access.port}`));
      } catch (err) {
        reachable = false;
        const reason = describeSshFailure(err as Error, access);
        log.warn({ reason }, 'agentless host not reachable');
        // The reachability result carries the problem (and may open a ticket); the checks could not judge.
        results.push(reachability(startedAt, t0, 'CRITICAL', reason));
        for (const a of due) results.push({ name: a.name, checkId: a.checkId, status: 'UNKNOWN', summary: `not run: ${reason}`, startedAt, durationMs: 0, metrics: [] });
      }
    }
    if (reachable) {
      const exec = access.kind === 'ssh' ? this.ssh.executor(sshTarget(access)) : this.local;
      const runtime: CheckRuntime = {
        now: this.opts.now,
        exec,
        host: HostFactsSchema.parse({ ...host.facts, hostname: host.name }),
        system: access.kind === 'ssh' ? procSystemProbe(exec) : NO_SYSTEM_FIGURES,
        stateFor: states.stateFor,
        log,
      };
      results.push(...(await Promise.all(due.map((a) => runAssignment(withAccess(a, access), runtime)))));
    }
    states.save(new Map(due.map((a) => [a.name, startedAt])));
    this.states.prune(host.id, [...assigned.map((a) => a.name)]);
    setConnected(this.opts.db, host.id, reachable);
    const batch: BatchFrame = { type: 'batch', seq: 0, results, metrics: [] };
    try {
      await ingestBatch({ db: this.opts.db, store: this.opts.store, listeners: this.opts.listeners, now: this.opts.now, log }, { hostId: host.id, customerId: host.customerId }, batch);
    } catch (err) {
      // Unlike an agent there is no spool to re-send from: this round's figures are lost, the next round comes.
      log.error({ err: (err as Error).message, results: results.length }, 'remote results not stored');
    }
  }

  /** Close the SSH connection of a host whose access changed or that was removed. */
  forget(access: RemoteAccess): void {
    if (access.kind === 'ssh') this.ssh.drop(sshTarget(access));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.ssh.close();
  }
}

function sshTarget(a: Extract<RemoteAccess, { kind: 'ssh' }>): SshTarget {
  return { host: a.address, port: a.port, username: a.user, privateKeyPath: a.keyPath };
}

function reachability(startedAt: number, t0: number, status: 'OK' | 'CRITICAL', summary: string): CheckResult {
  return { name: SSH_REACHABLE_CHECK, checkId: 'remote.ssh', status, summary, startedAt, durationMs: Math.round(performance.now() - t0), metrics: [] };
}

/** The host's address (and SNMP port and community) for checks that talk to it; explicit parameters win. */
function withAccess(a: CheckAssignment, access: RemoteAccess): CheckAssignment {
  if (!TARGETS_HOST_ADDRESS.test(a.checkId)) return a;
  const fromHost: Record<string, unknown> = { host: access.address };
  if (a.checkId === 'network.snmp' && access.kind === 'snmp') Object.assign(fromHost, { port: access.port, community: access.community });
  return { ...a, params: { ...fromHost, ...a.params } };
}

/** A plain reason for a failed SSH login, for the summary a customer's engineer reads. */
export function describeSshFailure(err: Error, a: Extract<RemoteAccess, { kind: 'ssh' }>): string {
  const where = `${a.user}@${a.address}:${a.port}`;
  const msg = err.message;
  if (err instanceof HostKeyMismatchError) return msg;
  if (/authentication methods failed/i.test(msg)) return `SSH login as ${where} refused: wrong user or key not authorized`;
  if (/ECONNREFUSED/.test(msg)) return `SSH to ${where}: connection refused (no SSH server on that port?)`;
  if (/Timed out while waiting for handshake|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/i.test(msg)) return `SSH to ${where}: host unreachable (${msg.replace(/^ssh to \S+ failed: /, '')})`;
  if (/ENOTFOUND|EAI_AGAIN/.test(msg)) return `SSH to ${where}: unknown host name`;
  return msg.startsWith('ssh to') || msg.startsWith('private key') ? msg : `SSH to ${where} failed: ${msg}`;
}

/** An SNMP device has no /proc: system checks assigned to one say so instead of guessing. */
const noFigures = (): Promise<never> => Promise.reject(new Error('no system figures for an SNMP device (assign network.snmp instead)'));
const NO_SYSTEM_FIGURES: SystemProbe = {
  cpuTimes: noFigures,
  cpuCount: noFigures,
  loadAverage: noFigures,
  memory: noFigures,
  filesystems: noFigures,
  interfaces: noFigures,
  bootTime: noFigures,
};
