import type { Status } from '../../shared/status.js';
import type { Translate } from '../page-kit/i18n/index.js';

/** The CSS class that colours a status (app.css: .st-OK, .st-WARNING, ...). */
export const statusClass = (s: Status) => `st-${s}`;

const STATUSES: readonly Status[] = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];

/** A status as a reader reads it: 正常 / 警告 / 严重 / 未知 in zh, OK / Warning / Critical / Unknown in en. */
export const statusLabel = (s: Status, t: Translate): string => t(`overview.status.${s}`);

/**
 * Every status word of the page's language, as JSON for a `data-status-labels` attribute: the browser scripts
 * relabel a badge from a live event with these, so a badge never turns back into the English enum.
 */
export const statusLabelsJson = (t: Translate): string => JSON.stringify(Object.fromEntries(STATUSES.map((s) => [s, statusLabel(s, t)])));
