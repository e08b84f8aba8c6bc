import type { PluginFactory } from '../plugin.js';
import { InspectionAnswers } from './inspection.js';
import { providerRoutes } from './provider-routes.js';
import { faultReportApiRoutes } from './fault-routes.js';
import { reportRoutes } from './routes.js';
import { createReportScheduler } from './schedule.js';
import { ReportDeliverer } from './delivery.js';
import { ReportBuildWorker, type ReportBuildInput } from './report-build-worker.js';

/** Inspection reports in the collector: /api/reports, the provider's identity on them (/api/settings/provider), the run-now answer listener, and the scheduled inspections. */
export const reportsPlugin: PluginFactory = ({ db, store, runNow, now, config, storeFromConfig }) => {
  const answers = new InspectionAnswers();
  // A report's reads in a thread of their own, when the worker can open the same stores from the config.
  const worker = storeFromConfig ? new ReportBuildWorker(config) : undefined;
  // Agents and agentless hosts alike: the collector routes each run-now to whoever runs that host's checks.
  const deps = { db, store, hub: { runNow }, answers, now, dataDir: config.dataDir, build: worker && ((input: ReportBuildInput) => worker.build(input)) };
  const scheduler = createReportScheduler(deps);
  // Signed reports to the customer's contacts, through the customer mail outbox (delivery.ts).
  const deliverer = new ReportDeliverer({ db, publicUrl: config.publicUrl });
  return {
    name: 'reports',
    listeners: [answers],
    apiRoutes: [
      { path: '/reports', routes: reportRoutes({ ...deps, deliverer }) },
      { path: '/settings/provider', routes: providerRoutes(deps) },
      // The fault-handling report of a case, beside the ticket API (GET /api/tickets/:id/report).
      { path: '/tickets', routes: faultReportApiRoutes(deps) },
    ],
    // Apart: an inspection run waiting for its hosts does not hold a report's mail back.
    tick: async (t) => {
      await Promise.all([scheduler.tick(t), deliverer.tick(t)]);
    },
    close: () => worker?.close(),
  };
};
