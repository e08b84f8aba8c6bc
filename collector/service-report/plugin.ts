import type { PluginFactory } from '../plugin.js';
import { serviceReportRoutes } from './routes.js';

/** The monthly service report per customer (cases, SLA kept, MTTA/MTTR, availability, satisfaction) under /api/service-reports. */
export const serviceReportPlugin: PluginFactory = ({ db, now }) => ({
  name: 'service-report',
  apiRoutes: [{ path: '/service-reports', routes: serviceReportRoutes({ db, now }) }],
});
