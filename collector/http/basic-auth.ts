import type { Context } from 'hono';
import type { Db } from '../db/database.js';
import { checkCredentials, type User } from '../db/users.js';

/** A way to find the user of a request (HTTP Basic for the CLI and curl; the dashboard adds its session cookie). */
export type Authenticator = (c: Context) => User | undefined | Promise<User | undefined>;

export function basicAuthenticator(db: Db): Authenticator {
  return (c) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
    if (!m?.[1]) return undefined;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return checkCredentials(db, decoded.slice(0, colon), decoded.slice(colon + 1));
  };
}
