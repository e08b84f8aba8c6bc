import type { User } from '../db/users.js';
import type { Lang, Translate } from './i18n/index.js';

/** What every dashboard handler can read, set by the middlewares in plugin.ts. */
export interface DashEnv {
  Variables: {
    lang: Lang;
    t: Translate;
    /** Set on every page behind the login. */
    user: User;
    /** undefined = every customer (admin). Pass to every data-access call. */
    customerIds: string[] | undefined;
    csrfToken: string;
  };
}

export const SESSION_COOKIE = 'patrol_session';
export const LOGIN_CSRF_COOKIE = 'patrol_login_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';
