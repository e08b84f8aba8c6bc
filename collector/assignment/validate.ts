import { z } from 'zod';
import { findCheck } from '../../checks/index.js';
import { secretParamsIn, secretParamsProblem } from '../../checks/database/credentials.js';
import { formatZodError } from '../../shared/protocol.js';

/**
 * Check that parameters suit a check type, before they are stored. Templates and overrides may leave out
 * required parameters that the host fills in (an SNMP device's address, a file's path given per host), so
 * every parameter is optional here; unknown names are refused, so a typo like `warnPtc` is caught at once
 * instead of silently keeping the default threshold. The full check runs its own schema when it runs.
 * A secret (a database `password`) is refused with the way to give it instead (`passwordEnv`): whatever is
 * stored here is sent to the agent in its config frames.
 */
export function paramsProblem(checkId: string, params: Record<string, unknown>): string | undefined {
  const def = findCheck(checkId);
  if (!def) return `unknown check type '${checkId}'`;
  if (!(def.params instanceof z.ZodObject)) return undefined;
  const shape = def.params.shape as Record<string, unknown>;
  if (secretParamsIn(params).some((k) => k in shape)) return `${checkId}: ${secretParamsProblem(params)}`;
  const r = def.params.partial().strict().safeParse(params);
  return r.success ? undefined : `${checkId}: ${formatZodError(r.error)}`;
}
