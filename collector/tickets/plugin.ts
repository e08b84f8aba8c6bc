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
  const intervals = new Map<string, { sec: number | undefined; at: number }>();
  const system = createTicketSystem({
    db,
    now,
    // "Silent for 3 intervals" counts in the host's shortest check interval. Remembered up to a minute (real time,
    // whatever the injected clock says) for the silence check's every-5-s look at every host: resolving each
    // host's templates again made that tick cost 150-180 ms of CPU at 10,000 hosts. A ticket opens or recovers
    // only on a fresh answer (`fresh`), so a template changed meanwhile never opens a false one.
    hostIntervalSec: (hostId, fresh) => {
      const cached = intervals.get(hostId);
      if (!fresh && cached && performance.now() - cached.at < 60_000) return cached.sec;
      const host = getHost(db, hostId);
      const secs = host ? assignments.forHost(host).map((a) => a.intervalSec) : [];
      const sec = secs.length ? Math.min(...secs) : undefined;
      // Each remembered for 30-60 s at random: remembered all at once (the first tick), they all ran out on the
      // same tick again, a 10,000-host tick of 150+ ms every minute (bench:fleet profile); spread, each tick has a share.
      if (host) intervals.set(hostId, { sec, at: performance.now() - Math.random() * 30_000 });
      else intervals.delete(hostId);
      return sec;
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
