import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import type { PluginFactory } from '../plugin.js';
import type { DashEnv } from '../page-kit/env.js';
import { LANG_COOKIE, pickLang, translator } from '../page-kit/i18n/index.js';
import { pruneLoginFailures } from './login-throttle.js';
import { agentRoutes } from './pages/agents.js';
import { hostRoutes } from './pages/host.js';
import { loginRoutes, logoutRoute } from './pages/login.js';
import { overviewRoutes } from './pages/overview.js';
import { reportPageRoutes } from '../reports/pages/reports.js';
import { providerPageRoutes } from '../reports/pages/provider-page.js';
import { faultReportPageRoutes } from '../reports/fault-routes.js';
import { settingsRoutes } from './pages/settings.js';
import { settingsCustomerRoutes } from '../customers/settings-page.js';
import { settingsContractRoutes } from '../contracts/settings-page.js';
import { settingsChannelRoutes } from '../notify/settings-page.js';
import { settingsMaintenanceRoutes } from '../maintenance/settings-page.js';
import { settingsOncallRoutes } from '../oncall/settings-page.js';
import { templateListRoutes } from '../assignment/pages/templates.js';
import { hostChecksRoutes } from '../assignment/pages/host-checks.js';
import { settingsTemplateEditRoutes } from '../assignment/pages/template-edit.js';
import { agentlessHostRoutes } from '../remote/pages/agentless-hosts.js';
import { settingsChannelEditRoutes } from '../notify/channel-edit-page.js';
import { settingsUserRoutes } from '../users/settings-page.js';
import { ticketPages } from '../tickets/pages.js';
import { casePages } from '../tickets/case-pages.js';
import { mailTriagePages } from '../mail-intake/pages.js';
import { serviceReportPages } from '../service-report/pages.js';
import { mailIntakeSettingsPages } from '../mail-intake/settings-page.js';
import { securityHeaders } from './security-headers.js';
import { auditPageRoutes } from '../audit/page.js';
import { notFoundRoutes } from './pages/not-found.js';
import { requireCsrf, requireLogin, sessionAuthenticator } from './session-auth.js';
import { deleteExpiredSessions } from './sessions.js';
import { faviconRoute, staticRoutes } from './static.js';
import { LiveFeed } from './live/live-feed.js';
import { liveRoutes } from './live/sse-route.js';
import { MetricCatalog } from './metric-catalog.js';

/**
 * The dashboard: server-rendered pages at / (login, overview, host, tickets, reports, agents, settings),
 * its static files, the live feed (/live/events, SSE), and the session cookie as a credential for /api/* (with CSRF on changes).
 */
export function createDashboardPlugin(opts: { liveHeartbeatMs?: number } = {}): PluginFactory {
  return (ctx) => makeDashboard(ctx, opts);
}

/** The default wiring for collector/plugins.ts. */
export const dashboardPlugin: PluginFactory = createDashboardPlugin();

function makeDashboard({ db, now, hub, store }: Parameters<PluginFactory>[0], opts: { liveHeartbeatMs?: number }): ReturnType<PluginFactory> {
  const feed = new LiveFeed(db);
  const pages = new Hono<DashEnv>();
  pages.use('*', securityHeaders);
  pages.use('*', async (c, next) => {
    // /api/* paths that no API route took end here: answer as the API would, never with a login page.
    if (c.req.path === '/api' || c.req.path.startsWith('/api/')) return c.json({ error: 'not found' }, 404);
    const lang = pickLang(getCookie(c, LANG_COOKIE), c.req.header('accept-language'));
    c.set('lang', lang);
    c.set('t', translator(lang));
    return next();
  });
  pages.route('/static', staticRoutes());
  pages.route('/', faviconRoute());
  pages.route('/', loginRoutes({ db, now }));

  const behindLogin = new Hono<DashEnv>();
  behindLogin.use('*', requireLogin(db, now));
  behindLogin.use('*', requireCsrf);
  behindLogin.route('/', logoutRoute(db, now));
  behindLogin.route('/', liveRoutes({ db, now, feed, heartbeatMs: opts.liveHeartbeatMs }));
  behindLogin.route('/', overviewRoutes({ db, now, store }));
  behindLogin.route('/', hostRoutes({ db, now, store }));
  // Before the ticket pages: /tickets/new and the case forms are not ticket ids.
  behindLogin.route('/', casePages({ db, now }));
  behindLogin.route('/', ticketPages({ db, now }));
  behindLogin.route('/', faultReportPageRoutes({ db, now }));
  behindLogin.route('/', mailTriagePages({ db, now }));
  behindLogin.route('/', serviceReportPages({ db, now }));
  behindLogin.route('/', mailIntakeSettingsPages({ db, now }));
  behindLogin.route('/', reportPageRoutes({ db, now }));
  // Before the settings index: its admin-only guard covers /settings/*, and engineers may read this page.
  behindLogin.route('/', providerPageRoutes({ db, now }));
  behindLogin.route('/', agentRoutes({ db, now, onAgentRevoked: (id) => hub.disconnectAgent(id) }));
  behindLogin.route('/', settingsRoutes());
  behindLogin.route('/', settingsCustomerRoutes({ db, now }));
  behindLogin.route('/', settingsContractRoutes({ db, now }));
  behindLogin.route('/', settingsChannelRoutes({ db, now }));
  behindLogin.route('/', settingsMaintenanceRoutes({ db, now }));
  behindLogin.route('/', settingsOncallRoutes({ db, now }));
  behindLogin.route('/', templateListRoutes({ db }));
  behindLogin.route('/', hostChecksRoutes({ db }));
  behindLogin.route('/', agentlessHostRoutes({ db }));
  behindLogin.route('/', settingsTemplateEditRoutes({ db, pushConfig: (id) => hub.pushConfig(id), connectedHostIds: () => hub.connectedHostIds() }));
  behindLogin.route('/', settingsChannelEditRoutes({ db }));
  behindLogin.route('/', settingsUserRoutes({ db, now }));
  behindLogin.route('/', auditPageRoutes({ db }));
  // Last: any other address gets the "page not found" page in the user's language.
  behindLogin.route('/', notFoundRoutes());
  pages.route('/', behindLogin);

  return {
    name: 'dashboard',
    pages: pages as unknown as Hono,
    authenticators: [sessionAuthenticator(db, now)],
    // The catalog first: a page that reloads on a live event then finds the new metrics.
    listeners: [new MetricCatalog(db).listener(), feed.listener()],
    tick(at) {
      deleteExpiredSessions(db, at);
      pruneLoginFailures(db, at);
    },
    close() {
      feed.close();
    },
  };
}
