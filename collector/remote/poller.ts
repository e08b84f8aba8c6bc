import type { EventEmitter } from 'node:events';
import type { CheckAssignment } from '../../shared/assignment.js';
import type { CheckResult } from '../../shared/check-result.js';
import { HostFactsSchema } from '../../shared/host-facts.js';
import type { Logger } from '../../shared/logger.js';
import { toReceivedResult, type BatchFrame } from '../../shared/protocol.js';
import { HostKeyMismatchError, KnownHosts } from '../../shared/ssh-connect.js';
import { runAssignment, type CheckRuntime } from '../../checks/run.js';
import type { CheckOutcome, Executor } from '../../checks/define.js';
import { execPolicy } from '../../checks/exec/exec-policy.js';
import { kindCanRun } from '../../checks/exec/host-access.js';
import { refused } from '../../checks/exec/refusal.js';
import { say as sayCollector } from '../../checks/collector-messages.js';
import type { Said } from '../../checks/message-text.js';
import { procSystemProbe } from '../../checks/system/proc-probe.js';
import type { SystemProbe } from '../../checks/system/probe.js';
import type { Db } from '../db/database.js';
import { setConnected, type Host } from '../db/hosts.js';
import { MetricsStoreUnavailableError, type MetricsStore } from '../metrics/store.js';
import type { IngestedHost, IngestListener } from '../ingest/listener.js';
import { ingestBatch } from '../ingest/ingest.js';
import type { AssignmentSource } from '../assignment/source.js';
import { RemoteCheckStates } from './check-state-store.js';
import { ConcurrencyLimit } from '../../shared/concurrency-limit.js';
import { DEFAULT_MAX_QUEUED_ROUNDS, RemoteResultQueue, type ResultQueueStats } from './result-queue.js';
import { listRemoteHosts, type RemoteAccess, type RemoteHost } from './remote-hosts.js';
import { targetRefusal, withTarget, type Lookup } from './target-policy.js';
import { SshConnectionPool, type SshTarget } from './ssh-executor.js';
import { customerKeyUsable } from './customer-keys.js';

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
  /** Rounds kept for re-sending while the metrics store is down; past this the oldest are dropped (counted). */
  maxQueuedRounds?: number;
  /** Queued rounds re-sent per tick at most, so a long backlog does not hold up the live rounds. */
  resendPerTick?: number;
  /** How target names are resolved before they are judged (tests give their own); default the system's. */
  lookup?: Lookup;
  /** `<dataDir>/ssh-keys`: a host logs in only with a key file of its own customer's folder (customer-keys.ts). */
  sshKeysDir?: string;
}

/** Name of the result that says whether the collector could log in to an SSH host at all. */
export const SSH_REACHABLE_CHECK = 'ssh.reachable';
export const SNMP_REACHABLE_CHECK = 'snmp.reachable';
/** sysUpTime.0: every SNMP agent has it. Three tries of 2 s, so a lost packet is not an outage. */
const SYS_UPTIME_OID = '.1.3.6.1.2.1.1.3.0';
const SNMP_PROBE_TIMEOUTS_MS = [2000, 2000, 2000];

/**
 * An SNMP device has no way to run anything, and the collector never runs a program for a host: a check that
 * needs one is refused before it starts (kindCanRun); this executor is the second lock behind that one.
 */
const NOTHING_RUNS_HERE: Executor = {
  kind: 'none',
  exec: () => Promise.resolve({ code: null, stdout: '', stderr: 'nothing is run for an SNMP device (the collector never executes a command for a host)', timedOut: false }),
  readFile: () => Promise.reject(new Error('no files of an SNMP device can be read (the collector never reads its own files for a host)')),
};

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
  private readonly queue: RemoteResultQueue;
  private closed = false;

  constructor(private readonly opts: RemotePollerOptions) {
    this.ssh = new SshConnectionPool({ knownHosts: new KnownHosts(opts.knownHostsFile), readyTimeoutMs: opts.sshReadyTimeoutMs });
    this.limit = new ConcurrencyLimit(opts.maxHostsAtOnce ?? 8);
    this.states = new RemoteCheckStates(opts.db);
    this.queue = new RemoteResultQueue(opts.db, { maxRounds: opts.maxQueuedRounds ?? DEFAULT_MAX_QUEUED_ROUNDS, log: opts.log.child({ part: 'result-queue' }) });
  }

  /** What waits to be stored, and what was lost (queue full) or refused, since the database was made. */
  queueStats(): ResultQueueStats {
    return this.queue.stats();
  }

  /** Start a round for every host with a check due; resolves when those rounds are done. */
  async tick(): Promise<void> {
    if (this.closed) return;
    // Earlier rounds first, so check states and tickets see every host's results in the order they were taken.
    await this.resendQueued();
    const now = this.opts.now();
    const rounds: Array<Promise<void>> = [];
    for (const rh of listRemoteHosts(this.opts.db)) {
      if (this.busy.has(rh.host.id)) continue; // its previous round is still running (slow host or waiting for a slot)
      const assigned = this.opts.assignments.forHost(rh.host);
      // Runs under settings changed since do not count (lastRuns): an admin's new allowance makes every check due.
      const lastRuns = this.states.lastRuns(rh.host.id);
      const due = assigned.filter((a) => {
        const last = lastRuns.get(a.name);
        return last === undefined || now - last >= a.intervalSec * 1000;
      });
      if (!due.length) continue;
      this.busy.add(rh.host.id);
      rounds.push(
        this.limit
          .run(() => this.pollHost(rh, assigned, due, now))
          .catch((err: Error) => this.opts.log.error({ err, host: rh.host.id }, 'remote poll failed'))
          .finally(() => this.busy.delete(rh.host.id)),
      );
    }
    await Promise.all(rounds);
  }

  /**
   * A fresh round of every assigned check of one agentless host now (an inspection), answered like an agent's
   * run-now: the batch carries `requestId`. False when the host is not one this poller runs.
   */
  runNow(hostId: string, requestId: string): boolean {
    if (this.closed) return false;
    const rh = listRemoteHosts(this.opts.db).find((r) => r.host.id === hostId);
    if (!rh) return false;
    const assigned = this.opts.assignments.forHost(rh.host);
    const readAt = this.opts.now();
    void this.limit
      .run(() => this.pollHost(rh, assigned, assigned, readAt, requestId))
      .catch((err: Error) => this.opts.log.error({ err, host: hostId, requestId }, 'run-now of an agentless host failed'));
    return true;
  }

  /**
   * One round of the due checks with the settings read at `readAt` (the same synchronous step that listed them), which
   * is recorded as the checks' run time: a change of the host's settings after it makes them due again (lastRuns).
   */
  private async pollHost({ host, access, allowances }: RemoteHost, assigned: CheckAssignment[], due: CheckAssignment[], readAt: number, requestId?: string): Promise<void> {
    const log = this.opts.log.child({ host: host.id, kind: host.kind });
    const startedAt = this.opts.now();
    const states = this.states.open(host.id);
    const results: CheckResult[] = [];
    let reachable = true;
    if (access.kind === 'snmp') {
      // The device's sysUpTime first: a device that does not answer is one host problem, not one per check.
      const t0 = performance.now();
      const answer = await snmpAnswers(access);
      results.push({ name: SNMP_REACHABLE_CHECK, checkId: 'remote.snmp', status: answer.ok ? 'OK' : 'CRITICAL', ...answer.said, startedAt, durationMs: Math.round(performance.now() - t0), metrics: [] });
      if (!answer.ok) {
        reachable = false;
        log.warn({ reason: answer.said.summary }, 'SNMP device not answering');
        for (const a of due) results.push({ name: a.name, checkId: a.checkId, status: 'UNKNOWN', ...notRunBecause(answer.said), startedAt, durationMs: 0, metrics: [] });
      }
    }
    if (access.kind === 'ssh') {
      const target = sshTarget(access);
      const t0 = performance.now();
      try {
        // Checked at every login, not only when the key was set: a key path stored by an older version, or a
        // symlink changed since, must not lend another customer's key.
        if (this.opts.sshKeysDir && !customerKeyUsable(this.opts.sshKeysDir, host.customerId, access.keyPath)) {
          throw new ForeignKeyError("private key of this host is not one of its customer's keys");
        }
        await this.ssh.connect(target);
        results.push(reachability(startedAt, t0, 'OK', sayCollector('remote.ssh.ok', { where: `${access.user}@${access.address}:${access.port}` })));
      } catch (err) {
        reachable = false;
        const reason = describeSshFailure(err as Error, access);
        log.warn({ reason: reason.summary }, 'agentless host not reachable');
        // The reachability result carries the problem (and may open a ticket); the checks could not judge.
        results.push(reachability(startedAt, t0, 'CRITICAL', reason));
        for (const a of due) results.push({ name: a.name, checkId: a.checkId, status: 'UNKNOWN', ...notRunBecause(reason), startedAt, durationMs: 0, metrics: [] });
      }
    }
    if (reachable) {
      const exec = access.kind === 'ssh' ? this.ssh.executor(sshTarget(access)) : NOTHING_RUNS_HERE;
      const where = `host ${host.name}'s allowances on the collector, set by an admin: PUT /api/hosts/${host.id}/allowances`;
      const runtime: CheckRuntime = {
        now: this.opts.now,
        exec,
        host: HostFactsSchema.parse({ ...host.facts, hostname: host.name }),
        system: access.kind === 'ssh' ? procSystemProbe(exec) : NO_SYSTEM_FIGURES,
        stateFor: states.stateFor,
        log,
        // Script checks over SSH run on the host as the SSH user the admin configured: the plugin folders, and
        // more only where an admin allowed it for this host.
        execPolicy: execPolicy({ allowCommandDirs: allowances.allowCommandDirs, allowCommands: allowances.allowCommands }, where),
        // The collector's environment holds its own secrets: passwordEnv reads PATROL_CHECK_* names only.
        passwordEnvSide: 'collector',
      };
      const notRun = (a: CheckAssignment, outcome: CheckOutcome): CheckResult => {
        log.warn({ check: a.name, refused: outcome.message?.key }, 'agentless check refused; nothing run or connected');
        return { name: a.name, checkId: a.checkId, status: outcome.status, summary: outcome.summary, ...(outcome.message ? { message: outcome.message } : {}), startedAt, durationMs: 0, metrics: [] };
      };
      const runOne = async (a: CheckAssignment): Promise<CheckResult> => {
        // Saving refuses these already (assignment/validate.ts); this holds for what reached the database anyway.
        if (!kindCanRun(access.kind, a.checkId)) return notRun(a, refused('exec.refused.hostKind', { kind: access.kind, checkId: a.checkId }));
        const { assignment, target } = withTarget(a, access);
        const refusal = target === undefined ? undefined : await targetRefusal(target, { address: access.address, allowances, where, lookup: this.opts.lookup });
        return refusal ? notRun(a, refusal) : runAssignment(assignment, runtime);
      };
      results.push(...(await Promise.all(due.map(runOne))));
    }
    states.save(new Map(due.map((a) => [a.name, readAt])));
    this.states.prune(host.id, [...assigned.map((a) => a.name)]);
    setConnected(this.opts.db, host.id, reachable);
    const batch: BatchFrame = { type: 'batch', seq: 0, results: results.map(toReceivedResult), lines: [], requestId };
    const ingested: IngestedHost = { hostId: host.id, customerId: host.customerId };
    if (this.queue.hasQueued(host.id)) {
      // Earlier rounds of this host are still waiting: this one goes behind them, in order.
      this.queue.enqueue(ingested, batch, this.opts.now(), 'earlier rounds of the host not stored yet');
      return;
    }
    try {
      await this.ingest(ingested, batch, log);
    } catch (err) {
      if (!(err instanceof MetricsStoreUnavailableError)) {
        // Not an outage (the store refused these points, or bookkeeping failed): re-sending would not help.
        log.error({ err: (err as Error).message, results: results.length }, 'remote results not stored; not queued');
        return;
      }
      // The collector's spool: kept and re-sent on later ticks until the store takes it.
      this.queue.enqueue(ingested, batch, this.opts.now(), err.message);
      log.warn({ err: err.message, results: results.length }, 'metrics store unavailable: remote results queued for re-sending');
    }
  }

  private ingest(host: IngestedHost, batch: BatchFrame, log: Logger): Promise<unknown> {
    return ingestBatch({ db: this.opts.db, store: this.opts.store, listeners: this.opts.listeners, now: this.opts.now, log }, host, batch);
  }

  /**
   * Re-send queued rounds, oldest first, until one fails because the store is still unavailable (then the
   * next tick tries again) or this tick's share is done. A round the store refuses as such is dropped and
   * counted: it would never go through and would block everything behind it.
   */
  private async resendQueued(): Promise<void> {
    const budget = this.opts.resendPerTick ?? 500;
    let sent = 0;
    while (sent < budget && !this.closed) {
      const rounds = this.queue.oldest(Math.min(50, budget - sent));
      if (!rounds.length) break;
      for (const r of rounds) {
        try {
          await this.ingest(r.host, r.batch, this.opts.log.child({ host: r.host.hostId, queued: true }));
          this.queue.remove(r.id);
          sent++;
        } catch (err) {
          if (err instanceof MetricsStoreUnavailableError) {
            this.queue.failed(r.id, err.message);
            if (sent > 0) this.opts.log.info({ resent: sent, left: this.queue.stats().queuedRounds }, 'queued remote rounds stored');
            this.opts.log.debug({ err: err.message }, 'metrics store still unavailable; queued remote rounds wait');
            return;
          }
          this.queue.reject(r, (err as Error).message);
        }
      }
    }
    if (sent > 0) this.opts.log.info({ resent: sent, left: this.queue.stats().queuedRounds }, 'queued remote rounds stored');
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
  return { host: a.address, port: a.port, username: a.user, privateKeyPath: a.keyPath, passphrase: a.passphrase };
}

function reachability(startedAt: number, t0: number, status: 'OK' | 'CRITICAL', said: Said): CheckResult {
  return { name: SSH_REACHABLE_CHECK, checkId: 'remote.ssh', status, ...said, startedAt, durationMs: Math.round(performance.now() - t0), metrics: [] };
}

/** A check not run because the host did not answer: "not run: <why>", the why as the message's part. */
function notRunBecause(why: Said): Said {
  return sayCollector('remote.notRun', {}, [{ key: why.message.key, values: why.message.values }]);
}

/** Thrown when the host's key path is not one of its customer's keys; said as remote.ssh.foreignKey. */
class ForeignKeyError extends Error {}

/** A plain reason for a failed SSH login, for the summary a customer's engineer reads (in zh or en). */
export function describeSshFailure(err: Error, a: Extract<RemoteAccess, { kind: 'ssh' }>): Said {
  const where = `${a.user}@${a.address}:${a.port}`;
  const msg = err.message;
  if (err instanceof ForeignKeyError) return sayCollector('remote.ssh.foreignKey');
  if (err instanceof HostKeyMismatchError) {
    const m = /^host key of (\S+) changed \(pinned (\S+), offered (\S+)\)/.exec(msg);
    return m ? sayCollector('remote.ssh.hostKeyChanged', { where: m[1], pinned: m[2], offered: m[3] }) : sayCollector('remote.ssh.failed', { where, error: msg });
  }
  if (/authentication methods failed/i.test(msg)) return sayCollector('remote.ssh.refused', { where });
  if (/ECONNREFUSED/.test(msg)) return sayCollector('remote.ssh.connRefused', { where });
  if (/Timed out while waiting for handshake|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/i.test(msg)) return sayCollector('remote.ssh.unreachable', { where, error: msg.replace(/^ssh to \S+ failed: /, '') });
  if (/ENOTFOUND|EAI_AGAIN/.test(msg)) return sayCollector('remote.ssh.unknownHost', { where });
  return sayCollector('remote.ssh.failed', { where, error: msg.replace(/^ssh to \S+ failed: /, '') });
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

/** Does the device answer SNMP at all (address, port, community)? The summary says what was asked and what came back. */
async function snmpAnswers(a: Extract<RemoteAccess, { kind: 'snmp' }>): Promise<{ ok: boolean; said: Said }> {
  const where = `${a.address}:${a.port}`;
  // Loaded on first use, as the SNMP check does: the collector pays for it only where SNMP devices are polled.
  const { Session } = await import('snmp-native');
  const session = new Session({ host: a.address, port: a.port, community: a.community, family: a.address.includes(':') ? 'udp6' : 'udp4', timeouts: SNMP_PROBE_TIMEOUTS_MS });
  // An answer snmp-native cannot decode is an 'error' event; unhandled it would end the collector.
  (session as unknown as EventEmitter).on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) => session.get({ oid: SYS_UPTIME_OID }, (err) => (err ? reject(err) : resolve())));
    return { ok: true, said: sayCollector('remote.snmp.ok', { where }) };
  } catch (err) {
    const msg = (err as Error).message;
    return { ok: false, said: /timeout/i.test(msg) ? sayCollector('remote.snmp.noAnswer', { where }) : sayCollector('remote.snmp.failed', { where, error: msg }) };
  } finally {
    session.close();
  }
}
