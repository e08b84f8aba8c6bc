import type { PluginFactory } from './plugin.js';
import { dashboardPlugin } from './dashboard/plugin.js';
import { reportsPlugin } from './reports/plugin.js';
import { remoteChecks } from './remote/plugin.js';
import { ticketsPlugin } from './tickets/plugin.js';
import { mailIntakePlugin } from './mail-intake/plugin.js';
import { serviceReportPlugin } from './service-report/plugin.js';
import { inventoryPlugin } from './inventory/plugin.js';

/**
 * The parts of the collector beyond the ingest spine, each joining through the CollectorPlugin interface
 * (listeners, API routes, pages, a periodic tick). Adding a part means one line here.
 */
export const DEFAULT_PLUGINS: PluginFactory[] = [
  ticketsPlugin,
  mailIntakePlugin,
  serviceReportPlugin,
  inventoryPlugin,
  dashboardPlugin,
  reportsPlugin,
  remoteChecks,
];
