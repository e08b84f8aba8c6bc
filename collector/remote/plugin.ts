import { join } from 'node:path';
import { createLogger } from '../../shared/logger.js';
import type { PluginFactory } from '../plugin.js';
import { hostAssignmentRoutes, templateRoutes } from '../assignment/routes.js';
import { remoteHostRoutes } from './host-routes.js';
import { allowanceRoutes } from './allowance-routes.js';
import { RemotePoller } from './poller.js';

export interface RemoteChecksOptions {
  /** How often due checks are looked for; a check's own interval decides when it runs. */
  pollEveryMs?: number;
  maxHostsAtOnce?: number;
  /** Rounds kept while the metrics store is down (default 5,000); the oldest are dropped past it, counted. */
  maxQueuedRounds?: number;
}

/**
 * Hosts without an agent (SSH, SNMP), check templates and their assignment: the API routes, and the
 * poller that runs agentless hosts' checks in the collector on its own timer.
 */
export function remoteChecksPlugin(opts: RemoteChecksOptions = {}): PluginFactory {
  return ({ db, store, hub, now, config, assignments, listeners }) => {
    const log = createLogger('remote-poller');
    const poller = new RemotePoller({
      db,
      store,
      listeners,
      assignments,
      now,
      log,
      knownHostsFile: join(config.dataDir, 'ssh_known_hosts.json'),
      sshKeysDir: join(config.dataDir, 'ssh-keys'),
      maxHostsAtOnce: opts.maxHostsAtOnce,
      maxQueuedRounds: opts.maxQueuedRounds,
    });
    let round: Promise<void> | undefined;
    // 1 s: intervals are whole seconds; a round still running for a host is skipped for that host, not queued.
    const timer = setInterval(() => {
      if (round) return;
      round = poller.tick().finally(() => (round = undefined));
    }, opts.pollEveryMs ?? 1000);
    timer.unref();
    const routeDeps = { db, now, pushConfig: (id: string) => hub.pushConfig(id), connectedHostIds: () => hub.connectedHostIds() };
    return {
      name: 'remote-checks',
      runNow: (hostId, requestId) => poller.runNow(hostId, requestId),
      apiRoutes: [
        {
          path: '/hosts',
          routes: remoteHostRoutes({ db, now, sshKeysDir: join(config.dataDir, 'ssh-keys'), onAssignmentChanged: (id) => hub.pushConfig(id), onAccessChanged: (a) => poller.forget(a) }),
        },
        { path: '/hosts', routes: hostAssignmentRoutes(routeDeps) },
        { path: '/hosts', routes: allowanceRoutes({ db, now }) },
        { path: '/templates', routes: templateRoutes(routeDeps) },
      ],
      async close() {
        clearInterval(timer);
        await round;
        await poller.close();
      },
    };
  };
}

/** The default wiring for collector/plugins.ts. */
export const remoteChecks: PluginFactory = remoteChecksPlugin();
