import type { PluginFactory } from '../plugin.js';
import { getHost } from '../db/hosts.js';
import { createTicketSystem } from './ticket-runtime.js';
import { ticketRoutes } from './routes.js';
import { caseRoutes } from './case-routes.js';
import { maintenanceRoutes } from '../maintenance/routes.js';
import { contractRoutes } from '../contracts/routes.js';
import { oncallRoutes } from '../oncall/routes.js';
import { notificationChannelRoutes } from '../notify/routes.js';

/** Tickets, SLA clocks, escalation and notifications, joined to ingest and the API. */
export const ticketsPlugin: PluginFactory = ({ db, now, assignments }) => {
  const system = createTicketSystem({
    db,
    now,
    // "Silent for 3 intervals" counts in the host's shortest check interval.
    hostIntervalSec: (hostId) => {
      const host = getHost(db, hostId);
      const intervals = host ? assignments.forHost(host).map((a) => a.intervalSec) : [];
      return intervals.length ? Math.min(...intervals) : undefined;
    },
  });
  const deps = { db, now };
  return {
    name: 'tickets',
    listeners: [system.engine],
    apiRoutes: [
      { path: '/tickets', routes: caseRoutes(deps) },
      { path: '/tickets', routes: ticketRoutes(deps) },
      { path: '/maintenance', routes: maintenanceRoutes(deps) },
      { path: '/contracts', routes: contractRoutes(deps) },
      { path: '/oncall', routes: oncallRoutes(deps) },
      { path: '/notification-channels', routes: notificationChannelRoutes(deps) },
    ],
    tick: (t) => system.tick(t),
    close: () => system.close(),
  };
};
