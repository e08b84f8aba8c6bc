import { createLogger } from '../../shared/logger.js';
import type { Db } from '../db/database.js';
import type { MetricsStore } from '../metrics/store.js';
import { buildInspectionReport } from './build-report.js';
import { latestInspection, type InspectionRecord } from './inspection.js';
import type { ReportLang } from './model.js';
import { renderReportHtml } from './render-html.js';
import { renderReportPdf } from './render-pdf.js';
import { latestReportOf, loadReport, saveReport, storeHtml, storePdf, storedPdf, type ReportRecord } from './report-store.js';
import { reportWindow, resolveInspection } from './report-window.js';

const log = createLogger('reports');

export interface ReportDeps {
  db: Db;
  store: MetricsStore;
  dataDir: string;
  now(): number;
  /** Chromium for PDFs (default /usr/bin/chromium). */
  chromiumPath?: string;
}

export interface GenerateOptions {
  customerId: string;
  /** The calendar inspection ("national-day-2026"); else the inspection's run names it; else `period`. */
  inspectionKey?: string;
  /** A quarter ("2026Q3"): its inspection as inspectionOfQuarter picks it. */
  period?: string;
  lang: ReportLang;
  pdf?: boolean;
  engineer?: string;
  /** The inspection run (snapshot); by default the latest one recorded for the inspection. */
  inspection?: InspectionRecord;
}

/**
 * Build, render and store one report (a new row in the history every time). Throws ReportTargetError when
 * the contract has no such inspection or its window has not begun.
 */
export async function generateReport(deps: ReportDeps, o: GenerateOptions): Promise<ReportRecord> {
  const started = Date.now();
  const now = deps.now();
  const target = resolveInspection(deps.db, o.customerId, { inspectionKey: o.inspectionKey ?? o.inspection?.inspectionKey ?? undefined, period: o.period }, now);
  // The snapshot decides "hosts inspected" and "not reachable at inspection", whoever asks for the report.
  const run = o.inspection ?? latestInspection(deps.db, o.customerId, target);
  const window = reportWindow(deps.db, o.customerId, target, now, run);
  const prevRec = window.previousKey ? (latestReportOf(deps.db, o.customerId, window.previousKey, o.lang) ?? latestReportOf(deps.db, o.customerId, window.previousKey)) : undefined;
  const previous = prevRec
    ? (() => {
        const r = loadReport(deps.db, prevRec);
        return { reportId: prevRec.id, period: prevRec.period, healthScore: r.summary.healthScore, findings: r.findings.length, inspectionKey: prevRec.inspectionKey, holiday: r.cover.holiday };
      })()
    : null;
  const report = await buildInspectionReport({
    db: deps.db,
    store: deps.store,
    customerId: o.customerId,
    scope: {
      from: window.from,
      to: window.to,
      period: target.period,
      inspectionKey: target.key,
      holiday: target.holiday,
      inspectionDate: target.inspectionDate,
      firstReport: window.first,
    },
    lang: o.lang,
    now,
    engineer: o.engineer,
    inspection: run,
    previous,
  });
  const html = renderReportHtml(report);
  const pdf = o.pdf ? await renderReportPdf(html, { executablePath: deps.chromiumPath }) : undefined;
  const rec = saveReport(deps.db, deps.dataDir, { report, inspectionId: run?.id ?? null, html, pdf });
  log.info({ customer: o.customerId, inspection: target.key, from: window.from, to: window.to, lang: o.lang, report: rec.id, ms: Date.now() - started, findings: report.findings.length }, 'inspection report generated');
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
