import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startInfluxDb, type RunningInfluxDb } from '../servers/influxdb.js';
import { freePort } from '../servers/ports.js';
import { AgentSwarm, type ConnectStorm } from '../fleet/agent-swarm.js';
import { startWebhookReceiver } from '../fleet/webhook-receiver.js';
import { ChaosCollector } from './collector-process.js';
import { readLedger, reconcile, type Reconciliation } from './ledger.js';
import { seedChaos, type RealAgentSeed } from './seed.js';

export const CHAOS_DB = 'chaos';

/** A seeded random source (mulberry32): the same seed gives the same moments of chaos. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RealAgentSpec {
  name: string;
  spoolLimitBytes?: number;
  /** Where its state folder lives (a small tmpfs for the agent whose spool fills up); default under the work dir. */
  stateDir?: string;
  /** Command put before node (e.g. `ip netns exec NS`), and the collector URL as seen from there. */
  wrap?: string[];
  collectorUrl?: string;
  /** No `svc` check (an agent in another network namespace could not reach the run's listener). */
  noSvc?: boolean;
}

export interface RealAgent extends RealAgentSeed {
  ledger: string;
  process?: ChildProcess;
  /** The listener its `svc` check connects to: closed = the injected fault. */
  svc?: Server;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitUntil(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await cond()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(everyMs);
  }
}

function listen(port: number, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer((c) => c.destroy());
    s.once('error', reject);
    s.listen(port, host, () => resolve(s));
  });
}

/**
 * The parts of a chaos run: a real InfluxDB, the collector as its own process (killable) on the same data folder
 * across restarts, real agents as processes with ledgers, and the synthetic fleet of bench/fleet. The run (the
 * suite's short one or bench/chaos.ts) decides what to break and when; `verify` says what became of every result.
 */
export class ChaosRig {
  influx!: RunningInfluxDb;
  collector!: ChaosCollector;
  swarm!: AgentSwarm;
  readonly agents: RealAgent[] = [];
  adminAuth = '';
  private receiver?: Awaited<ReturnType<typeof startWebhookReceiver>>;
  private readonly dataDir: string;
  readonly storms: ConnectStorm[] = [];
  readonly restartMs: number[] = [];

  constructor(
    private readonly o: { workDir: string; syntheticAgents: number; swarmFlushMs: number; agents: RealAgentSpec[]; log?: (m: string) => void; collectorEnv?: Record<string, string>; port?: number; checkIntervalSec?: number },
  ) {
    this.dataDir = join(o.workDir, 'collector');
    mkdirSync(this.dataDir, { recursive: true });
  }

  log(m: string): void {
    this.o.log?.(m);
  }

  async start(): Promise<void> {
    this.influx = await startInfluxDb({ dataDir: join(this.o.workDir, 'influx') });
    this.receiver = await startWebhookReceiver();
    const port = this.o.port ?? (await freePort());
    const wsUrl = `ws://127.0.0.1:${port}/agent`;
    const specs = await Promise.all(this.o.agents.map(async (a) => ({ ...a, svcPort: a.noSvc ? undefined : await freePort(), stateDir: a.stateDir ?? join(this.o.workDir, a.name) })));
    const seeded = seedChaos(join(this.dataDir, 'patrol.db'), {
      syntheticAgents: this.o.syntheticAgents,
      webhookUrl: this.receiver.url,
      realAgents: specs.map((s) => ({ name: s.name, stateDir: s.stateDir, svcPort: s.svcPort })),
      collectorWsUrl: wsUrl,
      checkIntervalSec: this.o.checkIntervalSec,
    });
    this.adminAuth = `Basic ${Buffer.from('admin:bench-admin-password').toString('base64')}`;
    this.collector = new ChaosCollector({
      dataDir: this.dataDir,
      port,
      logFile: join(this.o.workDir, 'collector.log'),
      env: { PATROL_INFLUX_URL: this.influx.url, PATROL_INFLUX_DATABASE: CHAOS_DB, PATROL_BATCH_INTERVAL_SEC: '1', ...this.o.collectorEnv },
    });
    // The agents start (and load their code) while the collector does: both take seconds on a busy machine.
    for (const [i, r] of seeded.real.entries()) {
      const spec = specs[i]!;
      const agent: RealAgent = { ...r, ledger: join(this.o.workDir, `${r.name}.ledger`) };
      if (r.svcPort) agent.svc = await listen(r.svcPort);
      this.agents.push(agent);
      this.startAgent(agent, spec);
    }
    this.restartMs.push(await this.collector.start());
    this.swarm = new AgentSwarm(wsUrl, seeded.agents, this.o.swarmFlushMs);
    this.swarm.recording = true;
    this.storms.push(await this.swarm.connectAll(120_000));
    this.swarm.start();
    await waitUntil('real agents sending', () => this.agents.every((a) => readLedger(a.ledger).length > 0), 60_000);
  }

  private startAgent(a: RealAgent, spec: RealAgentSpec): void {
    const log = createWriteStream(join(this.o.workDir, `${a.name}.log`), { flags: 'a' });
    const argv = [...(spec.wrap ?? []), process.execPath, '--import', 'tsx', 'bench/chaos/agent-process.ts'];
    const child = spawn(argv[0]!, argv.slice(1), {
      env: {
        ...process.env,
        PATROL_LOG_LEVEL: 'warn',
        CHAOS_COLLECTOR: spec.collectorUrl ?? this.collector.wsUrl,
        CHAOS_STATE_DIR: a.stateDir,
        CHAOS_NAME: a.name,
        CHAOS_LEDGER: a.ledger,
        ...(spec.spoolLimitBytes ? { CHAOS_SPOOL_LIMIT_BYTES: String(spec.spoolLimitBytes) } : {}),
        ...(spec.collectorUrl ? { CHAOS_INSECURE: '1' } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    a.process = child;
  }

  /** SIGKILL the collector, then start it again on the same data; the synthetic fleet reconnects all at once. */
  async killCollector(downMs = 0): Promise<void> {
    this.swarm.expectDisconnect();
    await this.collector.kill('SIGKILL');
    this.log(`collector SIGKILLed (kill ${this.collector.starts})`);
    if (downMs) await sleep(downMs);
    this.restartMs.push(await this.collector.start());
    const storm = await this.swarm.connectAll(300_000);
    this.storms.push(storm);
    this.log(`collector back; ${this.swarm.size - storm.notConnected} synthetic agents reconnected in ${Math.round(storm.ms)} ms (${storm.retries} retries)`);
  }

  /** Close (fault) or open again the port an agent's `svc` check connects to. */
  async setSvc(a: RealAgent, up: boolean): Promise<void> {
    if (!up) {
      await new Promise((r) => a.svc!.close(r));
      a.svc = undefined;
    } else a.svc = await listen(a.svcPort!);
  }

  /** The last batch each real agent has spooled so far: the cut up to which everything must arrive. */
  cut(): Map<string, number> {
    return new Map(this.agents.map((a) => [a.name, Math.max(-1, ...readLedger(a.ledger).map((b) => b.seq))]));
  }

  async reconcile(a: RealAgent, cutSeq: number): Promise<Reconciliation> {
    return reconcile(this.influx, CHAOS_DB, a.hostId, a.ledger, cutSeq);
  }

  /** The agent's dropped-points figure as the host API shows it (the highest it reported in the last hour). */
  async shownDroppedPoints(a: RealAgent): Promise<number | undefined> {
    const to = Date.now() + 60_000;
    const res = await fetch(`${this.collector.url}/api/hosts/${a.hostId}/series?measurement=patrol_agent&field=dropped_points_total&agg=max&from=${to - 3_600_000}&to=${to}&step=3600`, {
      headers: { authorization: this.adminAuth },
    });
    if (!res.ok) throw new Error(`series API answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { series: Array<{ points: Array<{ value: number | null }> }> };
    const values = body.series.flatMap((s) => s.points.map((p) => p.value)).filter((v): v is number => typeof v === 'number');
    return values.length ? Math.max(...values) : undefined;
  }

  /** Every ticket in patrol.db (the collector's own store), read-only. */
  tickets(): Array<{ number: string; hostId: string; kind: string; checkName: string | null; state: string }> {
    const db = new Database(join(this.dataDir, 'patrol.db'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT number, host_id AS hostId, kind, check_name AS checkName, state FROM tickets ORDER BY opened_at').all() as ReturnType<ChaosRig['tickets']>;
    } finally {
      db.close();
    }
  }

  /**
   * Synthetic agents' batches acked so far, and how many the store holds (one patrol_agent point each): stored must
   * cover acked. The swarm keeps sending, so the acks are counted before the store is asked (an ack always follows
   * its store); counted after, a batch stored past the query's snapshot but acked before the count failed the
   * short chaos test once (765 stored, 766 acked).
   */
  async syntheticBatches(): Promise<{ acked: number; stored: number }> {
    const acked = this.swarm.batchesAcked;
    const real = this.agents.map((a) => `"host" != '${a.hostId}'`).join(' AND ');
    const r = await this.influx.query(`SELECT count("spool_bytes") FROM "patrol_agent"${real ? ` WHERE ${real}` : ''}`, CHAOS_DB);
    return { acked, stored: Number(r.results[0]?.series?.[0]?.values[0]?.[1] ?? 0) };
  }

  async stop(): Promise<void> {
    this.swarm?.close();
    for (const a of this.agents) {
      const p = a.process;
      if (p && p.exitCode === null && p.signalCode === null) {
        await new Promise<void>((resolve) => {
          p.once('exit', () => resolve());
          p.kill('SIGKILL');
        });
      }
      await new Promise((r) => (a.svc ? a.svc.close(r) : r(undefined)));
    }
    await this.collector?.close();
    await this.influx?.stop();
    await this.receiver?.close();
  }
}
