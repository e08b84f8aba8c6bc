import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { currentDocx, type ReportDeps } from '../collector/reports/generate.js';
import type { ReportRecord } from '../collector/reports/report-store.js';

/** What the sample does after the sign-off besides the PDF (the Word file, the customer's acceptance): filled in as those land. */
export async function sampleExtras(deps: ReportDeps, rec: ReportRecord, lang: 'zh' | 'en'): Promise<void> {
  await sampleDocx(deps, rec, lang);
}

/** docs/report-sample-{zh,en}.docx: the Word file a customer gets, beside the sample PDF. */
async function sampleDocx(deps: ReportDeps, rec: ReportRecord, lang: 'zh' | 'en'): Promise<void> {
  const docx = await currentDocx(deps, rec);
  const file = join(resolve('docs'), `report-sample-${lang}.docx`);
  writeFileSync(file, docx);
  console.log(`${file} (${Math.round(docx.length / 1024)} KiB)`);
}
