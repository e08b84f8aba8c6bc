import { createLogger } from '../../shared/logger.js';
import type { ReportDocument } from './document.js';
import type { Db } from '../db/database.js';
import type { MetricsStore } from '../metrics/store.js';
import { buildInspectionReport } from './build-report.js';
import { latestInspection, type InspectionRecord } from './inspection.js';
import type { InspectionReport, ReportLang } from './model.js';
import type { ReportBuildInput } from './report-build-worker.js';
import { inspectionDocument } from './inspection-document.js';
import { pdfHeaderFooter, renderDocumentHtml } from './render-html.js';
import { renderReportPdf } from './render-pdf.js';
import { renderReportDocx } from './render-docx.js';
import { cachedDocx } from './docx-cache.js';
import { carryRemarks, latestReportOf, listSeries, loadReport, saveReport, storeHtml, storePdf, storedPdf, type ReportRecord, type ReportSeries } from './report-store.js';
import { periodBounds, startOfLocalDate } from './holiday-calendar.js';
import { quarterWindow, reportWindow, resolveInspection } from './report-window.js';
import { acceptanceOf } from './acceptance.js';
import { SingleFlight } from '../../shared/single-flight.js';

const log = createLogger('reports');

export interface ReportDeps {
  db: Db;
  store: MetricsStore;
  dataDir: string;
  now(): number;
  /** Chromium for PDFs (default /usr/bin/chromium). */
  chromiumPath?: string;
  /**
   * Where the report's figures are built: the collector passes its worker thread (report-build-worker.ts) so the
   * reads never hold its event loop; by default here, from `db` and `store` (the report command, tests).
   */
  build?: (input: ReportBuildInput) => Promise<InspectionReport>;
}

export interface GenerateOptions {
  customerId: string;
  /** The calendar inspection ("national-day-2026"); else the inspection's run names it; else `period`. */
  inspectionKey?: string;
  /** A quarter ("2026Q3") alone: the report covers exactly that quarter (with an inspection key, it picks nothing). */
  period?: string;
  lang: ReportLang;
  pdf?: boolean;
  engineer?: string;
  /** The inspection run (snapshot); by default the latest one recorded for the inspection. */
  inspection?: InspectionRecord;
}

/** The report's series has a signed version: it never changes, and no second report is made beside it. */
export class ReportSignedError extends Error {
  override name = 'ReportSignedError';
  constructor(
    message: string,
    readonly messageZh: string,
    readonly signed: ReportRecord,
  ) {
    super(message);
  }
}

/**
 * What a generation covers: a calendar inspection, or exactly a quarter when only `period` is named.
 * `finalFrom`: a report whose window reaches this covers the whole of it (an earlier one was a preview).
 */
function resolveScope(deps: ReportDeps, o: GenerateOptions, now: number) {
  const inspectionKey = o.inspectionKey ?? o.inspection?.inspectionKey ?? undefined;
  if (!inspectionKey && o.period) {
    const w = quarterWindow(deps.db, o.customerId, o.period, now);
    const run = o.inspection ?? w.run;
    return {
      series: { customerId: o.customerId, scope: 'quarter' as const, key: o.period, lang: o.lang },
      run,
      scope: { from: w.from, to: w.to, period: o.period, kind: 'quarter' as const },
      finalFrom: periodBounds(o.period).to,
      previousRec: latestOfSeries(deps, { customerId: o.customerId, scope: 'quarter', key: w.previousPeriod, lang: o.lang }),
    };
  }
  const target = resolveInspection(deps.db, o.customerId, { inspectionKey, period: o.period }, now);
  // The snapshot decides "hosts inspected" and "not reachable at inspection", whoever asks for the report.
  const run = o.inspection ?? latestInspection(deps.db, o.customerId, target);
  const window = reportWindow(deps.db, o.customerId, target, now, run);
  return {
    series: { customerId: o.customerId, scope: 'inspection' as const, key: target.key, lang: o.lang },
    run,
    scope: {
      from: window.from,
      to: window.to,
      period: target.period,
      inspectionKey: target.key,
      holiday: target.holiday,
      inspectionDate: target.inspectionDate,
      firstReport: window.first,
      kind: 'inspection' as const,
    },
    finalFrom: startOfLocalDate(target.inspectionDate),
    previousRec: window.previousKey ? (latestReportOf(deps.db, o.customerId, window.previousKey, o.lang) ?? latestReportOf(deps.db, o.customerId, window.previousKey)) : undefined,
  };
}

/** The report that stands for a series: its signed version, else its newest. */
function latestOfSeries(deps: ReportDeps, s: ReportSeries): ReportRecord | undefined {
  const all = listSeries(deps.db, s);
  return all.find((r) => r.signedOffAt !== null) ?? all[0];
}

/**
 * Build, render and store one report. Generating the same inspection (or quarter) again in the same language
 * makes the next version of its draft, with the remarks of the findings that remain; once a version is
 * signed off nothing more is generated beside it (ReportSignedError). Throws ReportTargetError when the
 * contract has no such inspection or its window has not begun.
 */
export async function generateReport(deps: ReportDeps, o: GenerateOptions): Promise<ReportRecord> {
  const started = Date.now();
  const now = deps.now();
  const t = resolveScope(deps, o, now);
  // Newest first. A version the customer returned has a newer draft above it, so only a signed newest one is
  // final; one signed ahead of its time (before the inspection day, or mid-quarter) was a preview, and the
  // real report becomes its next version.
  const [newest] = listSeries(deps.db, t.series);
  const returned = newest ? acceptanceOf(deps.db, newest.id)?.decision === 'returned' : false;
  if (newest && newest.signedOffAt !== null && !returned && !(newest.windowTo !== null && newest.windowTo < t.finalFrom)) {
    const langZh = t.series.lang === 'zh' ? '中文' : '英文';
    throw new ReportSignedError(
      `the ${t.series.lang} report of ${t.series.key} is signed off (version ${newest.version}, report ${newest.id}); a signed report never changes and no second one is made beside it`,
      `${t.series.key} 的${langZh}报告已签核（第 ${newest.version} 版），签核后的报告不再修改，也不会在其旁边另生成一份`,
      newest,
    );
  }
  const draft = newest;
  const prevDoc = t.previousRec ? loadReport(deps.db, t.previousRec) : undefined;
  const previous =
    t.previousRec && prevDoc
      ? { reportId: t.previousRec.id, period: t.previousRec.period, healthScore: prevDoc.summary.healthScore, findings: prevDoc.findings.length, inspectionKey: t.previousRec.inspectionKey, holiday: prevDoc.cover.holiday }
      : null;
  const input: ReportBuildInput = {
    customerId: o.customerId,
    scope: { ...t.scope, version: (draft?.version ?? 0) + 1 },
    lang: o.lang,
    now,
    engineer: o.engineer,
    inspection: t.run,
    previous,
    previousFindings: prevDoc?.findings.map((f) => ({ id: f.id, hostName: f.hostName, title: f.title })),
  };
  const report = deps.build ? await deps.build(input) : await buildInspectionReport({ ...input, db: deps.db, store: deps.store });
  const doc = inspectionDocument(report);
  const html = renderDocumentHtml(doc);
  const pdf = o.pdf ? await renderReportPdf(html, { executablePath: deps.chromiumPath, ...pdfHeaderFooter(doc) }) : undefined;
  const rec = saveReport(deps.db, deps.dataDir, { report, inspectionId: t.run?.id ?? null, html, pdf });
  if (draft) carryRemarks(deps.db, draft, rec, report.findings.map((f) => f.id));
  log.info(
    { customer: o.customerId, scope: t.series.scope, key: t.series.key, version: rec.version, from: t.scope.from, to: t.scope.to, lang: o.lang, report: rec.id, ms: Date.now() - started, findings: report.findings.length },
    'inspection report generated',
  );
  return rec;
}

/** The report as blocks with the current remarks, sign-off and acceptance. */
export function currentDocument(deps: Pick<ReportDeps, 'db'>, rec: ReportRecord): ReportDocument {
  const answer = acceptanceOf(deps.db, rec.id);
  return inspectionDocument(loadReport(deps.db, rec), answer?.decision === 'accepted' ? { name: answer.userName, at: answer.decidedAt } : null);
}

/** The report's HTML with the current remarks and sign-off (also refreshed on disk). */
export function currentHtml(deps: Pick<ReportDeps, 'db'>, rec: ReportRecord): string {
  const html = renderDocumentHtml(currentDocument(deps, rec));
  storeHtml(rec, html);
  return html;
}

/**
 * Printings under way, by report folder: a download and the delivery mailer right after the sign-off ask at
 * once, and Chromium stamps each PDF with its time, so two printings would give the customer one file and keep
 * another. The second asker waits for the first.
 */
const printing = new SingleFlight<string, Buffer>();

/** The PDF: the stored one while still current, else printed again (remarks or sign-off changed). */
export async function currentPdf(deps: Pick<ReportDeps, 'db' | 'chromiumPath'>, rec: ReportRecord): Promise<Buffer> {
  const pending = printing.get(rec.filesDir);
  if (pending) return pending;
  const stored = storedPdf(rec);
  if (stored) return stored;
  return printing.run(rec.filesDir, async () => {
    const doc = currentDocument(deps, rec);
    const html = renderDocumentHtml(doc);
    storeHtml(rec, html);
    const pdf = await renderReportPdf(html, { executablePath: deps.chromiumPath, ...pdfHeaderFooter(doc) });
    storePdf(deps.db, rec, pdf);
    return pdf;
  });
}

/**
 * The Word file (.docx) of the report as it is now (remarks, sign-off): kept beside the other files while the
 * document is unchanged, else made again. Needs Chromium for the charts (ChromiumMissingError without it).
 */
export async function currentDocx(deps: Pick<ReportDeps, 'db' | 'chromiumPath'>, rec: ReportRecord): Promise<Buffer> {
  return cachedDocx(rec.filesDir, currentDocument(deps, rec), (doc) => renderReportDocx(doc, { executablePath: deps.chromiumPath }));
}
