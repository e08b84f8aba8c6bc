import type { ReportDeps } from '../collector/reports/generate.js';
import type { ReportRecord } from '../collector/reports/report-store.js';

/** What the sample does after the sign-off besides the PDF (the Word file, the customer's acceptance): filled in as those land. */
export async function sampleExtras(_deps: ReportDeps, _rec: ReportRecord, _lang: 'zh' | 'en'): Promise<void> {}
