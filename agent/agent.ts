import type { CheckResult } from '../shared/check-result.js';
import type { Metric } from '../shared/metric.js';
import { createLogger } from '../shared/logger.js';
import { PATROL_VERSION } from '../shared/version.js';
import { toWireResult } from '../shared/protocol.js';
import { toLine } from '../shared/line-protocol.js';
import { splitBatch } from './batch-split.js';
import { localExecutor } from '../checks/exec/local-executor.js';
import { execPolicy, type ExecAllowListInput } from '../checks/exec/exec-policy.js';
import { localSystemProbe } from '../checks/system/local-probe.js';
import { StateDir, type Credentials } from './state-dir.js';
import { Spool, DEFAULT_SPOOL_LIMIT_BYTES } from './spool.js';
import { Scheduler } from './scheduler.js';
import { CollectorLink } from './collector-link.js';
import { enroll } from './enroll.js';
import { CollectorTrust } from './collector-trust.js';
import { splitEnrollmentToken } from '../shared/tls-pin.js';
import { localHostFacts } from './host-facts.js';

const log = createLogger('agent');

export interface AgentOptions {
  collectorUrl: string;
  stateDir: string;
  enrollToken?: string;
  /** Host name to report; default os.hostname(). */
  name?: string;
  spoolLimitBytes?: number;
  /** Until the collector says otherwise in welcome. */
  batchIntervalSec?: number;
  /** PEM file of a private CA that signed the collector's certificate, for https/wss to it. */
  caFile?: string;
  /** The collector CA's pin (`sha256:...`) to fetch and trust when nothing is pinned yet or it changed (agent.json caPin). */
  caPin?: string;
  /** Allow plain ws:// to another machine (otherwise refused: see url-policy.ts). */
  insecure?: boolean;
  /** Results kept in memory between flushes; past it a flush happens early (memory cap). */
  maxBufferedResults?: number;
  /**
   * What this host adds to the commands the collector may have run (allowCommandDirs, allowCommands of
   * agent.json); the monitoring-plugins folders are always in. Read from this host's own file, never from the collector.
   */
  execAllowList?: ExecAllowListInput;
  /** The agent.json the allow-list came from: refusals name it as the file to change. */
  configFile?: string;
  now?: () => number;
}

/** The agent: runs its checks, spools batches on disk, streams them to the collector. */
export class Agent {
  readonly state: StateDir;
  readonly spool: Spool;
  private link?: CollectorLink;
  private scheduler?: Scheduler;
  private buffer: CheckResult[] = [];
  private flushTimer?: NodeJS.Timeout;
  private batchIntervalSec: number;
  private checkStates;
  private readonly now: () => number;
  private cpuAtStart = process.cpuUsage();
  /**
   * Set by stop(): after its last flush the agent writes nothing more to its state folder (a run-now or a check
   * finishing late would otherwise spool a batch into a folder its owner may already have removed).
   */
  private stopped = false;
  credentials?: Credentials;

  constructor(private readonly opts: AgentOptions) {
    this.now = opts.now ?? Date.now;
    this.state = new StateDir(opts.stateDir);
    this.spool = new Spool(this.state.spoolDir, opts.spoolLimitBytes ?? DEFAULT_SPOOL_LIMIT_BYTES, this.now);
    this.batchIntervalSec = opts.batchIntervalSec ?? 10;
    // Saved with each flush below: no timer of its own.
    this.checkStates = this.state.checkStates({ flushDelayMs: null });
  }

  async start(): Promise<void> {
    const facts = localHostFacts(this.opts.name);
    const trust = new CollectorTrust({ collectorUrl: this.opts.collectorUrl, state: this.state, caFile: this.opts.caFile, caPin: this.opts.caPin, insecure: this.opts.insecure });
    let creds = this.state.readCredentials();
    if (!creds) {
      if (!this.opts.enrollToken) throw new Error(`not enrolled yet: run with --enroll <token> (state folder ${this.state.path})`);
      // The token's pin says which CA to trust (fetched and checked before the token is sent anywhere).
      const ca = await trust.ca(splitEnrollmentToken(this.opts.enrollToken).pin);
      creds = await enroll(this.opts.collectorUrl, this.opts.enrollToken, facts.hostname, ca);
      this.state.writeCredentials(creds);
      log.info({ agentId: creds.agentId, customer: creds.customerId }, 'enrolled; agent key saved');
    } else if (this.opts.enrollToken) {
      log.info({ agentId: creds.agentId }, 'already enrolled; the enrollment token is not needed and was not used');
    }
    this.credentials = creds;
    const exec = localExecutor();
    const policy = execPolicy(this.opts.execAllowList, this.opts.configFile ?? "the agent's config file (agent.json, --config)");
    log.info({ commandDirs: policy.commandDirs, exactCommands: policy.commands.length, configuredIn: policy.configuredIn }, 'commands the collector may have run');
    this.scheduler = new Scheduler(
      {
        now: this.now,
        exec,
        host: facts,
        system: localSystemProbe(exec),
        stateFor: (name) => this.checkStates.stateFor(name),
        log: createLogger('checks', { agentId: creds.agentId }),
        // system.clock with reference "collector": the estimate from the latest hello -> welcome.
        collectorClockOffset: () => this.link?.collectorClock ?? null,
        execPolicy: policy,
        // passwordEnv names come from this host's agent.env (loaded into the agent's environment).
        passwordEnvSide: 'agent',
      },
      (r) => this.submit(r),
    );
    // Keep checking with the last known assignment even while the collector is unreachable.
    const saved = this.state.readAssignments();
    if (saved) this.scheduler.apply(saved);
    this.link = new CollectorLink({
      url: this.opts.collectorUrl,
      agentKey: creds.agentKey,
      agentId: creds.agentId,
      version: PATROL_VERSION,
      facts: () => facts,
      spool: this.spool,
      onWelcome: (w) => {
        this.batchIntervalSec = w.batchIntervalSec;
        this.applyChecks(w.checks);
        this.restartFlushTimer();
      },
      onConfig: (checks) => this.applyChecks(checks),
      onRunNow: (requestId) => void this.runNow(requestId),
      resolveCa: () => trust.ca(),
      now: this.now,
    });
    this.restartFlushTimer();
    this.link.start();
  }

  private applyChecks(checks: Parameters<Scheduler['apply']>[0]): void {
    try {
      this.state.writeAssignments(checks);
    } catch (err) {
      // A full disk (the spool filled it) must not stop the agent: the checks run, only a restart would not know them.
      log.warn({ err: (err as Error).message }, 'could not save the assignment; it is applied all the same');
    }
    this.scheduler?.apply(checks);
    log.info({ checks: checks.map((c) => c.name) }, 'assignment applied');
  }

  /** Queue a result for the next batch (the scheduler's results, and any pushed from outside). */
  submit(r: CheckResult): void {
    if (this.stopped) return;
    this.buffer.push(r);
    if (this.buffer.length >= (this.opts.maxBufferedResults ?? 500)) this.flush();
    else this.armFlushTimer();
  }

  /**
   * A batch goes batchIntervalSec after the first result that waits for it. Not a timer that ticks every interval
   * whether or not there is anything to send: on an idle host each wake-up of the process costs CPU, and linux-base
   * has results for one or two batches a minute (issue 17). Results still wait at most the interval.
   */
  private armFlushTimer(): void {
    if (this.stopped || this.flushTimer || !this.buffer.length) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, this.batchIntervalSec * 1000);
    this.flushTimer.unref?.();
  }

  /** The collector said how often to send (welcome): a batch already waiting goes by the new interval. */
  private restartFlushTimer(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.armFlushTimer();
  }

  /** Move buffered results into a spooled batch (with the agent's own figures) and send. */
  flush(requestId?: string, results: CheckResult[] = this.buffer): void {
    if (results === this.buffer) {
      this.buffer = [];
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    // The checks' memory is saved with their results (checkStates has no timer of its own here).
    this.checkStates.flush();
    if (!results.length && !requestId) return;
    const { batches, droppedPoints } = splitBatch({ results: results.map(toWireResult), lines: toLine(this.selfMetrics()), requestId });
    if (droppedPoints) {
      this.spool.countDropped(droppedPoints);
      log.warn({ droppedPoints }, 'metric lines too long for any batch were dropped');
    }
    if (batches.length > 1) log.info({ batches: batches.length, results: results.length }, 'results split into several batches to stay under the frame limit');
    for (const b of batches) this.spool.put(b);
    this.link?.pump();
  }

  private async runNow(requestId: string): Promise<void> {
    if (!this.scheduler) return;
    log.info({ requestId }, 'run-now requested by the collector');
    const results = await this.scheduler.runAll();
    if (!this.stopped) this.flush(requestId, results);
  }

  /** The agent reports its own buffer and footprint (Telegraf's buffer_size / metrics_dropped). */
  private selfMetrics(): Metric {
    const s = this.spool.stats();
    const cpu = process.cpuUsage(this.cpuAtStart);
    return {
      measurement: 'patrol_agent',
      tags: {},
      fields: {
        spool_bytes: s.bytes,
        spool_limit_bytes: s.limitBytes,
        spool_batches: s.batches,
        spool_oldest_age_sec: s.oldestAgeSec,
        dropped_points_total: s.droppedPoints,
        rss_bytes: process.memoryUsage.rss(),
        cpu_user_ms_total: Math.round(cpu.user / 1000),
        cpu_system_ms_total: Math.round(cpu.system / 1000),
      },
      time: this.now(),
    };
  }

  get connected(): boolean {
    return this.link?.connected ?? false;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    clearTimeout(this.flushTimer);
    this.scheduler?.stop();
    this.flush();
    this.stopped = true;
    this.checkStates.flush();
    await this.link?.stop();
  }
}
