import type { PluginFactory } from '../plugin.js';
import { MonthlyMailer } from './monthly-mail.js';
import { serviceReportRoutes } from './routes.js';

/**
 * The monthly service report per customer (cases, SLA kept, MTTA/MTTR, availability, satisfaction) under
 * /api/service-reports, and its mailing on the 1st of each month (monthly-mail.ts) on the collector's tick.
 */
export const serviceReportPlugin: PluginFactory = ({ db, now, config }) => {
  const mailer = new MonthlyMailer({ db, dataDir: config.dataDir });
  return {
    name: 'service-report',
    apiRoutes: [{ path: '/service-reports', routes: serviceReportRoutes({ db, now }) }],
    tick: (t) => mailer.tick(t),
  };
};
