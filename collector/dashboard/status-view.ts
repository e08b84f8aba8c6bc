import type { Status } from '../../shared/status.js';

/** The CSS class that colours a status (app.css: .st-OK, .st-WARNING, ...). */
export const statusClass = (s: Status) => `st-${s}`;
