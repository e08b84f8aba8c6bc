import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/database.js';
import { customerFilter, customerParam } from '../db/tenancy.js';
import { getContract } from '../tickets/contracts.js';
import { findInspection, legacyInspectionOf, startOfLocalDate } from './holiday-calendar.js';
import { InspectionReportSchema, type InspectionReport, type ReportLang } from './model.js';

/**
 * Reports with history: one row per generation, the figures as JSON (and the rendered HTML/PDF) in a
 * folder under the data dir. Remarks and the sign-off live in the database and are merged in on read, so
 * the figures file is written once and never edited.
 */

export interface ReportRecord {
  id: string;
  customerId: string;
  /** The quarter of its inspection (list filter). */
  period: string;
  /**
   * The calendar inspection it reports on ("spring-festival-2027"). Reports stored before keys existed get
   * the inspection of their quarter they were made for (see legacyInspectionOf); null if the contract has none.
   */
  inspectionKey: string | null;
  /** The window covered; null for reports stored before windows were kept. */
  windowFrom: number | null;
  windowTo: number | null;
  lang: ReportLang;
  inspectionId: string | null;
  generatedAt: number;
  healthScore: number;
  filesDir: string;
  hasPdf: boolean;
  signedOffBy: string | null;
  signedOffName: string | null;
  signedOffAt: number | null;
  signOffNote: string;
}

const SELECT = `SELECT id, customer_id AS customerId, period, inspection_key AS inspectionKey, window_from AS windowFrom, window_to AS windowTo,
  lang, inspection_id AS inspectionId, generated_at AS generatedAt,
  health_score AS healthScore, files_dir AS filesDir, has_pdf AS hasPdf, signed_off_by AS signedOffBy,
  signed_off_name AS signedOffName, signed_off_at AS signedOffAt, sign_off_note AS signOffNote FROM reports`;

type Row = Omit<ReportRecord, 'hasPdf'> & { hasPdf: number };

/** Rows to records; a row without an inspection key gets the one of its quarter (contracts read once per customer). */
function toRecords(db: Db, rows: readonly Row[]): ReportRecord[] {
  const contracts = new Map<string, ReturnType<typeof getContract>>();
  return rows.map((r) => {
    let inspectionKey = r.inspectionKey;
    if (inspectionKey === null) {
      const contract = contracts.get(r.customerId) ?? getContract(db, r.customerId);
      contracts.set(r.customerId, contract);
      inspectionKey = legacyInspectionOf(contract.inspections, r.period, r.generatedAt, contract.inspectionDaysBefore)?.key ?? null;
    }
    return { ...r, inspectionKey, hasPdf: r.hasPdf === 1 };
  });
}

export const reportsDir = (dataDir: string) => join(dataDir, 'reports');

export function saveReport(
  db: Db,
  dataDir: string,
  r: { report: InspectionReport; inspectionId: string | null; html: string; pdf?: Buffer },
): ReportRecord {
  const id = randomUUID();
  const dir = join(reportsDir(dataDir), r.report.cover.customerId, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'report.json'), JSON.stringify(r.report, null, 2));
  writeFileSync(join(dir, 'report.html'), r.html);
  if (r.pdf) writeFileSync(join(dir, 'report.pdf'), r.pdf);
  const cover = r.report.cover;
  db.prepare(
    `INSERT INTO reports (id, customer_id, period, inspection_key, window_from, window_to, lang, inspection_id, generated_at, health_score, files_dir, has_pdf)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, cover.customerId, cover.period, cover.inspectionKey ?? null, cover.periodFrom, cover.periodTo, r.report.lang, r.inspectionId, cover.generatedAt, r.report.summary.healthScore, dir, r.pdf ? 1 : 0);
  return getReportRecord(db, id)!;
}

/** A report by id; with customerIds, another customer's report is "not found". */
export function getReportRecord(db: Db, id: string, customerIds?: readonly string[]): ReportRecord | undefined {
  const r = db.prepare(`${SELECT} WHERE id = @id AND ${customerFilter('customer_id')}`).get({ id, ...customerParam(customerIds) }) as Row | undefined;
  return r ? toRecords(db, [r])[0] : undefined;
}

export interface ReportFilter {
  customerIds?: readonly string[];
  customerId?: string;
  /** Quarter of the inspection, e.g. "2026Q4". */
  period?: string;
  inspectionKey?: string;
  /** Only signed-off reports (what a customer user may see). */
  signedOnly?: boolean;
}

/** Reports, newest first. */
export function listReports(db: Db, opts: ReportFilter): ReportRecord[] {
  const rows = db
    .prepare(
      `${SELECT} WHERE ${customerFilter('customer_id')} AND (@customerId IS NULL OR customer_id = @customerId)
       AND (@period IS NULL OR period = @period) AND (@signedOnly = 0 OR signed_off_at IS NOT NULL)
       AND (@key IS NULL OR inspection_key = @key OR inspection_key IS NULL) ORDER BY generated_at DESC, id`,
    )
    .all({ ...customerParam(opts.customerIds), customerId: opts.customerId ?? null, period: opts.period ?? null, signedOnly: opts.signedOnly ? 1 : 0, key: opts.inspectionKey ?? null }) as Row[];
  // Unkeyed (old) rows were let through above; their key is known only now.
  return toRecords(db, rows).filter((r) => opts.inspectionKey === undefined || r.inspectionKey === opts.inspectionKey);
}

/** The report that stands for an inspection: a signed-off one first, then the newest (optionally in one language). */
export function latestReportOf(db: Db, customerId: string, inspectionKey: string, lang?: ReportLang): ReportRecord | undefined {
  return listReports(db, { customerId, inspectionKey })
    .filter((r) => lang === undefined || r.lang === lang)
    .sort((a, b) => Number(a.signedOffAt === null) - Number(b.signedOffAt === null) || b.generatedAt - a.generatedAt)[0];
}

/**
 * Inspection key -> id of its (latest) signed-off report, for the inspection calendar's "done". A report
 * made and signed before its inspection day does not count: the inspection is still to be made.
 */
export function signedReportsByInspection(db: Db, customerId: string): Map<string, string> {
  const contract = getContract(db, customerId);
  const signed = listReports(db, { customerId, signedOnly: true }).sort((a, b) => a.signedOffAt! - b.signedOffAt!);
  const out = new Map<string, string>();
  for (const r of signed) {
    if (r.inspectionKey === null) continue;
    const inspection = findInspection(contract.inspections, r.inspectionKey, contract.inspectionDaysBefore);
    if (r.windowTo !== null && inspection && r.windowTo < startOfLocalDate(inspection.inspectionDate)) continue;
    out.set(r.inspectionKey, r.id);
  }
  return out;
}

/** The stored figures with the current remarks and sign-off merged in. */
export function loadReport(db: Db, rec: ReportRecord): InspectionReport {
  const base = InspectionReportSchema.parse(JSON.parse(readFileSync(join(rec.filesDir, 'report.json'), 'utf8')));
  const remarks = new Map(
    (db.prepare('SELECT finding_id AS findingId, remark FROM report_remarks WHERE report_id = ?').all(rec.id) as Array<{ findingId: string; remark: string }>).map((r) => [r.findingId, r.remark]),
  );
  const signOff = rec.signedOffAt !== null ? { name: rec.signedOffName ?? '', at: rec.signedOffAt, note: rec.signOffNote } : null;
  return {
    ...base,
    // A scheduled report is made by no one; the engineer who signs it off is the one who answers for it.
    cover: { ...base.cover, engineer: base.cover.engineer || signOff?.name || '' },
    findings: base.findings.map((f) => ({ ...f, remark: remarks.get(f.id) ?? null })),
    signOff,
  };
}

export type ChangeResult = { ok: true } | { ok: false; code: 'unknown-finding' | 'signed-off'; message: string };

/** Set (or clear, with an empty text) an engineer's remark on a finding; refused once the report is signed off. */
export function setRemark(db: Db, rec: ReportRecord, findingId: string, remark: string, author: { id: string | null; name: string }, now: number): ChangeResult {
  if (rec.signedOffAt !== null) return { ok: false, code: 'signed-off', message: 'the report is signed off; remarks can no longer change' };
  const report = loadReport(db, rec);
  if (!report.findings.some((f) => f.id === findingId)) return { ok: false, code: 'unknown-finding', message: `no finding '${findingId}' in this report` };
  if (remark.trim() === '') db.prepare('DELETE FROM report_remarks WHERE report_id = ? AND finding_id = ?').run(rec.id, findingId);
  else
    db.prepare(
      `INSERT INTO report_remarks (report_id, finding_id, customer_id, remark, author_id, author_name, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(report_id, finding_id) DO UPDATE SET remark = excluded.remark, author_id = excluded.author_id,
         author_name = excluded.author_name, updated_at = excluded.updated_at`,
    ).run(rec.id, findingId, rec.customerId, remark, author.id, author.name, now);
  dropRendered(rec);
  return { ok: true };
}

export function signOff(db: Db, rec: ReportRecord, by: { id: string | null; name: string }, note: string, now: number): ChangeResult {
  if (rec.signedOffAt !== null) return { ok: false, code: 'signed-off', message: 'the report is already signed off' };
  db.prepare('UPDATE reports SET signed_off_by = ?, signed_off_name = ?, signed_off_at = ?, sign_off_note = ? WHERE id = ?').run(by.id, by.name, now, note, rec.id);
  dropRendered(rec);
  return { ok: true };
}

/** The rendered files no longer match the remarks or sign-off: delete the PDF (it is re-made on demand). */
function dropRendered(rec: ReportRecord): void {
  rmSync(join(rec.filesDir, 'report.pdf'), { force: true });
}

export function storedPdf(rec: ReportRecord): Buffer | undefined {
  const p = join(rec.filesDir, 'report.pdf');
  return existsSync(p) ? readFileSync(p) : undefined;
}

export function storePdf(db: Db, rec: ReportRecord, pdf: Buffer): void {
  writeFileSync(join(rec.filesDir, 'report.pdf'), pdf);
  db.prepare('UPDATE reports SET has_pdf = 1 WHERE id = ?').run(rec.id);
}

export function storeHtml(rec: ReportRecord, html: string): void {
  writeFileSync(join(rec.filesDir, 'report.html'), html);
}
