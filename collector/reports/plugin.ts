import type { PluginFactory } from '../server.js';
import { InspectionAnswers } from './inspection.js';
import { reportRoutes } from './routes.js';
import { createReportScheduler } from './schedule.js';

/** Inspection reports in the collector: /api/reports, the run-now answer listener, and the scheduled inspections. */
export const reportsPlugin: PluginFactory = ({ db, store, hub, now, config }) => {
  const answers = new InspectionAnswers();
  const deps = { db, store, hub, answers, now, dataDir: config.dataDir };
  const scheduler = createReportScheduler(deps);
  return {
    name: 'reports',
    listeners: [answers],
    apiRoutes: [{ path: '/reports', routes: reportRoutes(deps) }],
    tick: (t) => scheduler.tick(t),
  };
};
