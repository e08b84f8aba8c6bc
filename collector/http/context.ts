import type { User } from '../db/users.js';

/**
 * What every authenticated hono route can read: `c.get('user')` and `c.get('customerIds')`
 * (undefined = all customers, for admins). Routes pass customerIds to every data-access call, and
 * answer 404 — never 403 — for a record of another customer, so ids cannot be probed.
 */
export interface AppEnv {
  Variables: {
    user: User;
    customerIds: string[] | undefined;
  };
}
