import type { CheckDefinition } from './define.js';
import { CHECK_LOADERS, loadCheck } from './catalog.js';

/**
 * Every check Patrol knows, by id, loaded whole: the collector's view, which validates the parameters of any check
 * and shows titles. The list itself is checks/catalog.ts (adding a check means one line there); the agent loads
 * checks from the catalog one by one as they are assigned and never imports this module.
 */
export const CHECKS: ReadonlyMap<string, CheckDefinition> = new Map(
  await Promise.all(Object.keys(CHECK_LOADERS).map(async (id) => [id, (await loadCheck(id))!] as const)),
);

export function findCheck(id: string): CheckDefinition | undefined {
  return CHECKS.get(id);
}
