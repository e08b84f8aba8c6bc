import type { Hono } from 'hono';
import type { CollectorConfig } from './config.js';
import type { Db } from './db/database.js';
import type { MetricsStore } from './metrics/store.js';
import type { AgentHub } from './ingest/agent-hub.js';
import type { IngestListener } from './ingest/listener.js';
import type { AssignmentSource } from './assignment/source.js';
import type { MountedRoutes } from './http/app.js';
import type { Authenticator } from './http/basic-auth.js';

/**
 * Extension points other parts use to join the collector without editing server.ts: each returns
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
  /**
   * The metrics store was opened from `config` (not handed in by a test or bench): a part may open its own reader
   * of the same files in another thread (the reports' worker).
   */
  storeFromConfig: boolean;
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
