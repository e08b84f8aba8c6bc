import type { PluginFactory } from '../plugin.js';
import { MailPoller } from './poller.js';
import { mailIntakeRoutes } from './routes.js';

/** Cases by e-mail: the support mailbox read on the collector's tick, its settings and triage list under /api/mail-intake. */
export const mailIntakePlugin: PluginFactory = ({ db, now, config }) => {
  const poller = new MailPoller({ db, dataDir: config.dataDir });
  return {
    name: 'mail-intake',
    apiRoutes: [{ path: '/mail-intake', routes: mailIntakeRoutes({ db, now, poller }) }],
    tick: (t) => poller.tick(t),
  };
};
