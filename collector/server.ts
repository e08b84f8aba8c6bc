import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
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
import { withFieldTypes } from './metrics/field-types.js';
import type { MetricsStore } from './metrics/store.js';
import { AgentHub } from './ingest/agent-hub.js';
import { ingestLimitsFromConfig } from './ingest/limits.js';
import type { IngestListener } from './ingest/listener.js';
import type { AssignmentSource } from './assignment/source.js';
import { DbAssignmentSource } from './assignment/db-source.js';
import { createApp, type MountedRoutes } from './http/app.js';
import { basicAuthenticator, type Authenticator } from './http/basic-auth.js';
import { DEFAULT_PLUGINS } from './plugins.js';
import { hostRoutes } from './hosts/routes.js';
import { customerRoutes } from './customers/routes.js';
import { agentRoutes } from './agents/routes.js';
import { enrollRoutes } from './agents/enroll-routes.js';
import { auditLoginRefusals, auditMiddleware } from './audit/middleware.js';
import { auditRoutes } from './audit/routes.js';
import type { CollectorPlugin, PluginFactory } from './plugin.js';

export type { CollectorPlugin, PluginFactory } from './plugin.js';
import { prepareTls, type TlsMaterial } from './tls/material.js';
import { recordCollectorCa } from './db/collector-ca.js';
import { LISTEN_BACKLOG, startPlainAgentListener } from './tls/plain-listener.js';
import { formatPin } from '../shared/tls-pin.js';

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
  /** With TLS: where the certificate comes from and the pin of the CA agents trust (`sha256:...`), when there is one. */
  tls?: { source: TlsMaterial['source']; caPin?: string; caPem?: string; names: string[] };
  /** The plain ws port for agents not yet moved to TLS (PATROL_PLAIN_PORT), when open. */
  plainPort?: number;
  /** Ask a host (with or without an agent) for a fresh run of all its checks; see PluginFactory's runNow. */
  runNow(hostId: string, requestId: string): boolean;
  close(): Promise<void>;
}



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
  let tls: TlsMaterial | undefined;
  try {
    tls = prepareTls(config, now());
  } catch (err) {
    db.close();
    throw new Error(`TLS: ${(err as Error).message}`);
  }
  // Enrollment tokens made from now on (API, CLI) carry this CA's pin.
  recordCollectorCa(db, tls?.caPem && tls.pin ? { caPem: tls.caPem, pin: tls.pin } : undefined, now());
  const grouped = withGroupCommit(withLazyInit(opts.store ?? metricsStoreFromConfig(config, now)));
  // InfluxDB types a field by its first value for every customer at once (collector/metrics/field-types.ts).
  const store = grouped.kind === 'sqlite' ? grouped : withFieldTypes(grouped, db, now);
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
  const plugins: CollectorPlugin[] = (opts.plugins ?? DEFAULT_PLUGINS).map((f) => f({ db, store, hub, now, config, storeFromConfig: !opts.store, assignments, listeners, runNow }));
  for (const p of plugins) listeners.push(...(p.listeners ?? []));

  const app = createApp({
    db,
    store,
    now,
    authenticators: [...plugins.flatMap((p) => p.authenticators ?? []), basicAuthenticator(db, auditLoginRefusals(db))],
    middleware: [auditMiddleware({ db, now })],
    publicRoutes: [{ path: '/api/enroll', routes: enrollRoutes({ db, now }) }],
    // The collector's own routes (served with no part at all), then each part's.
    apiRoutes: [
      { path: '/hosts', routes: hostRoutes({ db, store }) },
      { path: '/customers', routes: customerRoutes({ db, now }) },
      { path: '/audit', routes: auditRoutes({ db }) },
      { path: '/', routes: agentRoutes({ db, now, onAgentRevoked: (agentId) => hub.disconnectAgent(agentId) }) },
      ...plugins.flatMap((p) => p.apiRoutes ?? []),
    ],
    pages: plugins.find((p) => p.pages)?.pages,
  });
  const server = (
    tls
      ? createAdaptorServer({ fetch: app.fetch, createServer: createHttpsServer, serverOptions: { cert: tls.certPem, key: tls.keyPem } })
      : createAdaptorServer({ fetch: app.fetch })
  ) as Server;
  hub.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const plain =
    tls && config.plainPort !== undefined
      ? await startPlainAgentListener({ host: config.host, port: config.plainPort, tlsServer: server, tlsUrl: `${url.replace(/^https/, 'wss')}/agent` }).catch(async (err: Error) => {
          await new Promise<void>((resolve) => server.close(() => resolve()));
          db.close();
          throw err;
        })
      : undefined;
  // The server certificate is re-issued before it expires and served without a restart; the CA stays.
  const renewServerCertificate = () => {
    try {
      const fresh = prepareTls(config, now());
      if (fresh && tls && fresh.certPem !== tls.certPem) {
        (server as unknown as TlsServer).setSecureContext({ cert: fresh.certPem, key: fresh.keyPem });
        tls = fresh;
        log.info({ notAfter: new Date(fresh.notAfter).toISOString() }, 'serving the renewed server certificate');
      }
    } catch (err) {
      log.error({ err }, 'renewing the server certificate failed; the current one is served until it expires');
    }
  };
  const renewal = tls?.source === 'generated' ? setInterval(renewServerCertificate, 12 * 3600_000) : undefined;
  renewal?.unref();

  const ticker = setInterval(() => {
    for (const p of plugins) {
      Promise.resolve(p.tick?.(now())).catch((err: Error) => log.error({ err, plugin: p.name }, 'plugin tick failed'));
    }
  }, 5000);
  ticker.unref();
  const caPin = tls?.pin ? formatPin(tls.pin) : undefined;
  log.info({ url, store: store.kind, dataDir: config.dataDir, tls: tls?.source ?? 'off', caPin, plainPort: plain?.port }, 'collector listening');

  return {
    url,
    port,
    db,
    store,
    hub,
    app,
    adminPassword,
    tls: tls ? { source: tls.source, caPin, caPem: tls.caPem, names: tls.names } : undefined,
    plainPort: plain?.port,
    runNow,
    async close() {
      clearInterval(ticker);
      clearInterval(renewal);
      await hub.close();
      await plain?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const p of plugins) await p.close?.();
      await store.close();
      db.close();
    },
  };
}
