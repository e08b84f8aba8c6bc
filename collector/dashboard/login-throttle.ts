/**
 * The login rate limit lives with the password check in collector/http/password-gate.ts, because HTTP Basic on
 * /api uses the same count (a guesser must not switch from the form to Basic). Re-exported for the dashboard.
 */
export {
  MAX_LOGIN_FAILURES,
  LOGIN_WINDOW_MS,
  throttleKey,
  isLoginBlocked,
  loginBlockedForMs,
  recordLoginFailure,
  clearLoginFailures,
  pruneLoginFailures,
} from '../http/password-gate.js';
