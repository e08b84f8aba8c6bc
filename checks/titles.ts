import { COLLECTOR_CHECK_TITLES } from './collector-messages.js';
import { findCheck } from './index.js';
import type { Lang } from './message-text.js';

/**
 * A check type's title in a language ('磁盘空间与 inode' for system.disk), from the check registry, or the
 * collector's own results; undefined for a type this collector does not know (a newer agent's).
 */
export function checkTitle(checkId: string, lang: Lang): string | undefined {
  return (findCheck(checkId)?.title ?? COLLECTOR_CHECK_TITLES[checkId])?.[lang];
}
