import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createLogger } from '../shared/logger.js';
import type { CollectorConfig } from './config.js';
import { openDatabase, type Db } from './db/database.js';
import { createUser, findUserByName, setPassword } from './db/users.js';
import { newPassword } from './auth/secrets.js';
import { metricsStoreFromConfig } from './metrics/open-store.js';
import { withLazyInit } from './metrics/lazy-init.js';
import { withGroupCommit } from './metrics/group-commit.js';
import type { MetricsStore } from './metrics/store.js';
import { AgentHub } from './ingest/agent-hub.js';
import { ingestLimitsFromConfig } from './ingest/limits.js';
import type { IngestListener } from './ingest/listener.js';
import type { AssignmentSource } from './assignment/source.js';
import { DbAssignmentSource } from './assignment/db-source.js';
import { createApp, type MountedRoutes } from './http/app.js';
import { basicAuthenticator, type Authenticator } from './http/basic-auth.js';
import { DEFAULT_PLUGINS } from './plugins.js';

const log = createLogger('collector');

export interface CollectorOptions {
  config: CollectorConfig;
  now?: () => number;
  /** A ready metrics store (tests, benchmarks); otherwise chosen from the config. */
  store?: MetricsStore;
  assignments?: AssignmentSource;
  listeners?: IngestListener[];
  /** The parts to run (tickets, dashboard, reports...); default: all of collector/plugins.ts. */
  plugins?: PluginFactory[];
}

export interface Collector {
  url: string;
  port: number;
  db: Db;
  store: MetricsStore;
  hub: AgentHub;
  app: Hono;
  /** Set on the first start only: the generated admin password, to print once. */
  adminPassword?: string;
  /** Ask a host (with or without an agent) for a fresh run of all its checks; see PluginFactory's runNow. */
  runNow(hostId: string, requestId: string): boolean;
  close(): Promise<void>;
}

/**
 * Extension points other parts use to join the collector without editing this file's callers: each returns
 * listeners, API routes, pages, authenticators and a periodic tick.
 */
export interface CollectorPlugin {
  name: string;
  listeners?: IngestListener[];
  apiRoutes?: MountedRoutes[];
  pages?: Hono;
  authenticators?: Authenticator[];
  tick?(now: number): void | Promise<void>;
  /** A part that runs checks for hosts without an agent answers run-now requests for them (inspections). */
  runNow?(hostId: string, requestId: string): boolean;
  close?(): void | Promise<void>;
}

export type PluginFactory = (ctx: {
  db: Db;
  store: MetricsStore;
  hub: AgentHub;
  now(): number;
  config: CollectorConfig;
  /** Where hosts' checks come from (the remote poller uses the same as the agents). */
  assignments: AssignmentSource;
  /** Every ingest listener (complete once all plugins are made), for parts that ingest results themselves. */
  listeners: readonly IngestListener[];
  /**
   * Ask any host for a fresh run of all its checks, answered by a batch carrying `requestId`: agents through
   * the hub, hosts without an agent through the part that polls them. False when nobody can run it now.
   */
  runNow(hostId: string, requestId: string): boolean;
}) => CollectorPlugin;


/** The first admin: PATROL_ADMIN_PASSWORD when set, else a generated password returned to print once. */
function bootstrapAdmin(db: Db, now: number): string | undefined {
  const fromEnv = process.env.PATROL_ADMIN_PASSWORD;
  const existing = findUserByName(db, 'admin');
  if (existing) {
    if (fromEnv) setPassword(db, existing.id, fromEnv);
    return undefined;
  }
  const password = fromEnv || newPassword();
  createUser(db, { username: 'admin', password, role: 'admin', displayName: 'Administrator', now });
  return fromEnv ? undefined : password;
}

export async function startCollector(opts: CollectorOptions): Promise<Collector> {
  const { config } = opts;
  const now = opts.now ?? Date.now;
  const db = openDatabase(join(config.dataDir, 'patrol.db'));
  const adminPassword = bootstrapAdmin(db, now());
  const store = withGroupCommit(withLazyInit(opts.store ?? metricsStoreFromConfig(config, now)));
  await store.init().catch((err: Error) => log.error({ err: err.message }, 'metrics store not ready; agents will spool until it is'));

  const listeners: IngestListener[] = [...(opts.listeners ?? [])];
  const assignments = opts.assignments ?? new DbAssignmentSource(db);
  const hub = new AgentHub({
    db,
    store,
    listeners,
    now,
    assignments,
    batchIntervalSec: config.batchIntervalSec,
    limits: ingestLimitsFromConfig(config),
  });
  const runNow = (hostId: string, requestId: string): boolean =>
    hub.runNow(hostId, requestId) || plugins.some((p) => p.runNow?.(hostId, requestId) ?? false);
  const plugins: CollectorPlugin[] = (opts.plugins ?? DEFAULT_PLUGINS).map((f) => f({ db, store, hub, now, config, assignments, listeners, runNow }));
  for (const p of plugins) listeners.push(...(p.listeners ?? []));

  const app = createApp({
    db,
    store,
    now,
    authenticators: [...plugins.flatMap((p) => p.authenticators ?? []), basicAuthenticator(db)],
    apiRoutes: plugins.flatMap((p) => p.apiRoutes ?? []),
    pages: plugins.find((p) => p.pages)?.pages,
    onAgentRevoked: (agentId) => hub.disconnectAgent(agentId),
  });
  const server = (
    config.tlsCertFile && config.tlsKeyFile
      ? createAdaptorServer({
          fetch: app.fetch,
          createServer: createHttpsServer,
          serverOptions: { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) },
        })
      : createAdaptorServer({ fetch: app.fetch })
  ) as Server;
  hub.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${config.tlsCertFile ? 'https' : 'http'}://${config.host}:${port}`;

  const ticker = setInterval(() => {
    for (const p of plugins) {
      Promise.resolve(p.tick?.(now())).catch((err: Error) => log.error({ err, plugin: p.name }, 'plugin tick failed'));
    }
  }, 5000);
  ticker.unref();
  log.info({ url, store: store.kind, dataDir: config.dataDir }, 'collector listening');

  return {
    url,
    port,
    db,
    store,
    hub,
    app,
    adminPassword,
    runNow,
    async close() {
      clearInterval(ticker);
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const p of plugins) await p.close?.();
      await store.close();
      db.close();
    },
  };
}
