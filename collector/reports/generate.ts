import { createLogger } from '../../shared/logger.js';
import type { Db } from '../db/database.js';
import type { MetricsStore } from '../metrics/store.js';
import { buildInspectionReport } from './build-report.js';
import { previousPeriod } from './calendar.js';
import type { InspectionRecord } from './inspection.js';
import type { ReportLang } from './model.js';
import { renderReportHtml } from './render-html.js';
import { renderReportPdf } from './render-pdf.js';
import { latestReportOf, loadReport, saveReport, storeHtml, storePdf, storedPdf, type ReportRecord } from './report-store.js';

const log = createLogger('reports');

export interface ReportDeps {
  db: Db;
  store: MetricsStore;
  dataDir: string;
  now(): number;
  /** Chromium for PDFs (default /usr/bin/chromium). */
  chromiumPath?: string;
}

/** Build, render and store one report (a new row in the history every time). */
export async function generateReport(
  deps: ReportDeps,
  o: { customerId: string; period: string; lang: ReportLang; pdf?: boolean; engineer?: string; inspection?: InspectionRecord },
): Promise<ReportRecord> {
  const started = Date.now();
  const prevRec = latestReportOf(deps.db, o.customerId, previousPeriod(o.period), o.lang) ?? latestReportOf(deps.db, o.customerId, previousPeriod(o.period));
  const previous = prevRec
    ? (() => {
        const r = loadReport(deps.db, prevRec);
        return { reportId: prevRec.id, period: prevRec.period, healthScore: r.summary.healthScore, findings: r.findings.length };
      })()
    : null;
  const report = await buildInspectionReport({
    db: deps.db,
    store: deps.store,
    customerId: o.customerId,
    period: o.period,
    lang: o.lang,
    now: deps.now(),
    engineer: o.engineer,
    inspection: o.inspection,
    previous,
  });
  const html = renderReportHtml(report);
  const pdf = o.pdf ? await renderReportPdf(html, { executablePath: deps.chromiumPath }) : undefined;
  const rec = saveReport(deps.db, deps.dataDir, { report, inspectionId: o.inspection?.id ?? null, html, pdf });
  log.info({ customer: o.customerId, period: o.period, lang: o.lang, report: rec.id, ms: Date.now() - started, findings: report.findings.length }, 'inspection report generated');
  return rec;
}

/** The report's HTML with the current remarks and sign-off (also refreshed on disk). */
export function currentHtml(deps: Pick<ReportDeps, 'db'>, rec: ReportRecord): string {
  const html = renderReportHtml(loadReport(deps.db, rec));
  storeHtml(rec, html);
  return html;
}

/** The PDF: the stored one while still current, else printed again (remarks or sign-off changed). */
export async function currentPdf(deps: Pick<ReportDeps, 'db' | 'chromiumPath'>, rec: ReportRecord): Promise<Buffer> {
  const stored = storedPdf(rec);
  if (stored) return stored;
  const pdf = await renderReportPdf(currentHtml(deps, rec), { executablePath: deps.chromiumPath });
  storePdf(deps.db, rec, pdf);
  return pdf;
}
