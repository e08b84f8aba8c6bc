import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/database.js';
import { customerFilter, customerParam } from '../db/tenancy.js';
import { InspectionReportSchema, type InspectionReport, type ReportLang } from './model.js';

/**
 * Reports with history: one row per generation, the figures as JSON (and the rendered HTML/PDF) in a
 * folder under the data dir. Remarks and the sign-off live in the database and are merged in on read, so
 * the figures file is written once and never edited.
 */

export interface ReportRecord {
  id: string;
  customerId: string;
  period: string;
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

const SELECT = `SELECT id, customer_id AS customerId, period, lang, inspection_id AS inspectionId, generated_at AS generatedAt,
  health_score AS healthScore, files_dir AS filesDir, has_pdf AS hasPdf, signed_off_by AS signedOffBy,
  signed_off_name AS signedOffName, signed_off_at AS signedOffAt, sign_off_note AS signOffNote FROM reports`;

type Row = Omit<ReportRecord, 'hasPdf'> & { hasPdf: number };
const toRecord = (r: Row): ReportRecord => ({ ...r, hasPdf: r.hasPdf === 1 });

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
  db.prepare(
    `INSERT INTO reports (id, customer_id, period, lang, inspection_id, generated_at, health_score, files_dir, has_pdf)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, r.report.cover.customerId, r.report.cover.period, r.report.lang, r.inspectionId, r.report.cover.generatedAt, r.report.summary.healthScore, dir, r.pdf ? 1 : 0);
  return getReportRecord(db, id)!;
}

/** A report by id; with customerIds, another customer's report is "not found". */
export function getReportRecord(db: Db, id: string, customerIds?: readonly string[]): ReportRecord | undefined {
  const r = db.prepare(`${SELECT} WHERE id = @id AND ${customerFilter('customer_id')}`).get({ id, ...customerParam(customerIds) }) as Row | undefined;
  return r ? toRecord(r) : undefined;
}

export function listReports(db: Db, opts: { customerIds?: readonly string[]; customerId?: string; period?: string }): ReportRecord[] {
  return (
    db
      .prepare(
        `${SELECT} WHERE ${customerFilter('customer_id')} AND (@customerId IS NULL OR customer_id = @customerId)
         AND (@period IS NULL OR period = @period) ORDER BY generated_at DESC, id`,
      )
      .all({ ...customerParam(opts.customerIds), customerId: opts.customerId ?? null, period: opts.period ?? null }) as Row[]
  ).map(toRecord);
}

/** The newest report of the period before `period` (for "change since the last report"). */
export function latestReportOf(db: Db, customerId: string, period: string, lang?: ReportLang): ReportRecord | undefined {
  const r = db
    .prepare(`${SELECT} WHERE customer_id = ? AND period = ? AND (? IS NULL OR lang = ?) ORDER BY signed_off_at IS NULL, generated_at DESC LIMIT 1`)
    .get(customerId, period, lang ?? null, lang ?? null) as Row | undefined;
  return r ? toRecord(r) : undefined;
}

/** period -> id of a signed-off report, for the inspection calendar's "done". */
export function signedReportsByPeriod(db: Db, customerId: string): Map<string, string> {
  const rows = db.prepare('SELECT period, id FROM reports WHERE customer_id = ? AND signed_off_at IS NOT NULL ORDER BY signed_off_at').all(customerId) as Array<{ period: string; id: string }>;
  return new Map(rows.map((r) => [r.period, r.id]));
}

/** The stored figures with the current remarks and sign-off merged in. */
export function loadReport(db: Db, rec: ReportRecord): InspectionReport {
  const base = InspectionReportSchema.parse(JSON.parse(readFileSync(join(rec.filesDir, 'report.json'), 'utf8')));
  const remarks = new Map(
    (db.prepare('SELECT finding_id AS findingId, remark FROM report_remarks WHERE report_id = ?').all(rec.id) as Array<{ findingId: string; remark: string }>).map((r) => [r.findingId, r.remark]),
  );
  return {
    ...base,
    findings: base.findings.map((f) => ({ ...f, remark: remarks.get(f.id) ?? null })),
    signOff: rec.signedOffAt !== null ? { name: rec.signedOffName ?? '', at: rec.signedOffAt, note: rec.signOffNote } : null,
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
