/**
 * The collector bench:agent and bench/agent-profile.ts stream to: embedded store, plain ws on loopback, a customer
 * to enroll into and a listener that counts the results each host sent.
 */
import { rmSync } from 'node:fs';
import { loadCollectorConfig } from '../collector/config.js';
import { startCollector, type Collector, type PluginFactory } from '../collector/server.js';
import { remoteChecksPlugin } from '../collector/remote/plugin.js';
import { ensureCustomer } from '../collector/db/customers.js';
import { createEnrollmentToken } from '../collector/db/agents.js';
import { listHosts } from '../collector/db/hosts.js';
import { benchDir } from './agent-peers.js';

export const CUSTOMER = 'bench';

/** A child environment without what tsx or npm put into ours (NODE_OPTIONS would load tsx into the agent). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'LANG', 'TZ']) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, ...extra };
}

export interface BenchCollector {
  collector: Collector;
  wsUrl: string;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  token(): string;
  hostId(name: string): string | undefined;
  /** Results received per host name, counted by an ingest listener. */
  resultsOf(name: string): number;
  close(): Promise<void>;
}

export async function startBenchCollector(batchIntervalSec?: number): Promise<BenchCollector> {
  const dataDir = benchDir('collector');
  const counts = new Map<string, number>();
  let collectorRef: Collector | undefined;
  const counter: PluginFactory = ({ db }) => ({
    name: 'bench-counter',
    listeners: [
      {
        onResults(host, results) {
          const name = listHosts(db).find((h) => h.id === host.hostId)?.name ?? host.hostId;
          counts.set(name, (counts.get(name) ?? 0) + results.length);
        },
      },
    ],
  });
  const collector = await startCollector({
    // Plain ws on loopback, as the issue's baseline was measured; TLS adds its own cost to both ends.
    config: loadCollectorConfig(undefined, { port: 0, dataDir, tls: 'off', ...(batchIntervalSec ? { batchIntervalSec } : {}) }),
    plugins: [remoteChecksPlugin(), counter],
  });
  collectorRef = collector;
  ensureCustomer(collector.db, CUSTOMER, 'Bench', Date.now());
  const auth = `Basic ${Buffer.from(`admin:${collector.adminPassword}`).toString('base64')}`;
  return {
    collector,
    wsUrl: `${collector.url.replace(/^http/, 'ws')}/agent`,
    async api(method, path, body) {
      const res = await fetch(`${collector.url}${path}`, {
        method,
        headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    },
    token: () => createEnrollmentToken(collector.db, CUSTOMER, Date.now()).token,
    hostId: (name) => listHosts(collectorRef!.db).find((h) => h.name === name && h.connected)?.id,
    resultsOf: (name) => counts.get(name) ?? 0,
    async close() {
      await collector.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

