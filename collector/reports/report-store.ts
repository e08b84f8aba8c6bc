import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/database.js';
import { customerFilter, customerParam } from '../db/tenancy.js';
import { getContract } from '../contracts/contract-store.js';
import { findInspection, legacyInspectionOf, startOfLocalDate } from './holiday-calendar.js';
import { InspectionReportSchema, type InspectionReport, type ReportLang } from './model.js';
import { writeFileAtomic } from '../../shared/write-atomic.js';

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
  /** 'inspection': a calendar inspection's report (keyed by inspectionKey); 'quarter': exactly the quarter `period`. */
  scope: ReportScopeKind;
  /** Its number in the series (customer, scope, inspection or quarter, language); the highest is the current one. */
  version: number;
  /** When the signed report first reached the customer's contacts by mail (delivery.ts); null: not yet. */
  deliveredAt: number | null;
  /** The customer's answer (acceptance.ts): accepted (签收) or returned with a remark, once per version. */
  acceptedAt: number | null;
  returnedAt: number | null;
}

export type ReportScopeKind = 'inspection' | 'quarter';

/** What makes reports versions of one another: the same customer, inspection (or quarter) and language. */
export interface ReportSeries {
  customerId: string;
  scope: ReportScopeKind;
  /** The inspection key for 'inspection', the quarter ("2026Q4") for 'quarter'. */
  key: string;
  lang: ReportLang;
}

export const seriesOf = (r: ReportRecord): ReportSeries | null =>
  r.scope === 'quarter' ? { customerId: r.customerId, scope: 'quarter', key: r.period, lang: r.lang } : r.inspectionKey === null ? null : { customerId: r.customerId, scope: 'inspection', key: r.inspectionKey, lang: r.lang };
const seriesId = (s: ReportSeries) => `${s.customerId}\u0000${s.scope}\u0000${s.key}\u0000${s.lang}`;

const SELECT = `SELECT id, customer_id AS customerId, period, inspection_key AS inspectionKey, window_from AS windowFrom, window_to AS windowTo,
  lang, inspection_id AS inspectionId, generated_at AS generatedAt,
  health_score AS healthScore, files_dir AS filesDir, has_pdf AS hasPdf, signed_off_by AS signedOffBy,
  signed_off_name AS signedOffName, signed_off_at AS signedOffAt, sign_off_note AS signOffNote, scope, version, delivered_at AS deliveredAt,
  (SELECT a.decided_at FROM report_acceptances a WHERE a.report_id = reports.id AND a.decision = 'accepted') AS acceptedAt,
  (SELECT a.decided_at FROM report_acceptances a WHERE a.report_id = reports.id AND a.decision = 'returned') AS returnedAt FROM reports`;

type Row = Omit<ReportRecord, 'hasPdf'> & { hasPdf: number };

/** Rows to records; a row without an inspection key gets the one of its quarter (contracts read once per customer). */
function toRecords(db: Db, rows: readonly Row[]): ReportRecord[] {
  const contracts = new Map<string, ReturnType<typeof getContract>>();
  return rows.map((r) => {
    let inspectionKey = r.inspectionKey;
    if (inspectionKey === null && r.scope === 'inspection') {
      const contract = contracts.get(r.customerId) ?? getContract(db, r.customerId);
      contracts.set(r.customerId, contract);
      inspectionKey = legacyInspectionOf(contract.inspections, r.period, r.generatedAt, contract.inspectionDaysBefore)?.key ?? null;
    }
    return { ...r, inspectionKey, hasPdf: r.hasPdf === 1 };
  });
}

/** The download name: customer, inspection (or quarter), version and language. */
export const fileBase = (r: ReportRecord) => `inspection-${r.customerId}-${r.scope === 'quarter' ? r.period : (r.inspectionKey ?? r.period)}-v${r.version}-${r.lang}`;

export const reportsDir = (dataDir: string) => join(dataDir, 'reports');

export function saveReport(
  db: Db,
  dataDir: string,
  r: { report: InspectionReport; inspectionId: string | null; html: string; pdf?: Buffer },
): ReportRecord {
  const cover = r.report.cover;
  const id = randomUUID();
  const dir = join(reportsDir(dataDir), r.report.cover.customerId, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'report.json'), JSON.stringify(r.report, null, 2));
  writeFileSync(join(dir, 'report.html'), r.html);
  if (r.pdf) writeFileSync(join(dir, 'report.pdf'), r.pdf);
  db.prepare(
    `INSERT INTO reports (id, customer_id, period, inspection_key, window_from, window_to, lang, inspection_id, generated_at, health_score, files_dir, has_pdf, scope, version)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    cover.customerId,
    cover.period,
    (cover.scope ?? 'inspection') === 'quarter' ? null : (cover.inspectionKey ?? null),
    cover.periodFrom,
    cover.periodTo,
    r.report.lang,
    r.inspectionId,
    cover.generatedAt,
    r.report.summary.healthScore,
    dir,
    r.pdf ? 1 : 0,
    // Parsed reports always have both; these defaults are for hand-made ones (tests, imports).
    cover.scope ?? 'inspection',
    cover.version ?? 1,
  );
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
  scope?: ReportScopeKind;
  lang?: ReportLang;
  /** Every version; by default only the newest of each series that passes the other filters. */
  allVersions?: boolean;
}

/** Reports, newest first. */
export function listReports(db: Db, opts: ReportFilter): ReportRecord[] {
  const rows = db
    .prepare(
      `${SELECT} WHERE ${customerFilter('customer_id')} AND (@customerId IS NULL OR customer_id = @customerId)
       AND (@period IS NULL OR period = @period) AND (@signedOnly = 0 OR signed_off_at IS NOT NULL)
       AND (@key IS NULL OR inspection_key = @key OR inspection_key IS NULL) AND (@scope IS NULL OR scope = @scope)
       AND (@lang IS NULL OR lang = @lang) ORDER BY generated_at DESC, id`,
    )
    .all({
      ...customerParam(opts.customerIds),
      customerId: opts.customerId ?? null,
      period: opts.period ?? null,
      signedOnly: opts.signedOnly ? 1 : 0,
      key: opts.inspectionKey ?? null,
      scope: opts.scope ?? (opts.inspectionKey ? 'inspection' : null),
      lang: opts.lang ?? null,
    }) as Row[];
  // Unkeyed (old) rows were let through above; their key is known only now.
  const recs = toRecords(db, rows).filter((r) => opts.inspectionKey === undefined || r.inspectionKey === opts.inspectionKey);
  if (opts.allVersions) return recs;
  const newest = new Map<string, number>();
  for (const r of recs) {
    const s = seriesOf(r);
    if (s) newest.set(seriesId(s), Math.max(newest.get(seriesId(s)) ?? 0, r.version));
  }
  return recs.filter((r) => {
    const s = seriesOf(r);
    return s === null || newest.get(seriesId(s)) === r.version;
  });
}

/** Every version of a series, newest first. */
export function listSeries(db: Db, s: ReportSeries): ReportRecord[] {
  const rows = db
    .prepare(
      `${SELECT} WHERE customer_id = @customerId AND lang = @lang AND scope = @scope
       AND (CASE WHEN @scope = 'quarter' THEN period = @key ELSE (inspection_key = @key OR inspection_key IS NULL) END)
       ORDER BY version DESC, generated_at DESC`,
    )
    .all(s) as Row[];
  return toRecords(db, rows).filter((r) => (s.scope === 'quarter' ? r.period === s.key : r.inspectionKey === s.key));
}

/** The current (highest) version of a report's series, when it is not this one. */
export function newerVersionOf(db: Db, rec: ReportRecord): ReportRecord | undefined {
  const s = seriesOf(rec);
  const newest = s ? listSeries(db, s)[0] : undefined;
  return newest && newest.version > rec.version ? newest : undefined;
}

/** The report that stands for an inspection: a signed-off one first, then the newest (optionally in one language). */
export function latestReportOf(db: Db, customerId: string, inspectionKey: string, lang?: ReportLang): ReportRecord | undefined {
  return listReports(db, { customerId, inspectionKey, allVersions: true })
    .filter((r) => lang === undefined || r.lang === lang)
    .sort((a, b) => Number(a.signedOffAt === null) - Number(b.signedOffAt === null) || b.generatedAt - a.generatedAt)[0];
}

/**
 * Inspection key -> id of its (latest) signed-off report, for the inspection calendar's "done". A report
 * made and signed before its inspection day does not count: the inspection is still to be made.
 */
export function signedReportsByInspection(db: Db, customerId: string): Map<string, string> {
  const contract = getContract(db, customerId);
  const signed = listReports(db, { customerId, signedOnly: true, scope: 'inspection' }).sort((a, b) => a.signedOffAt! - b.signedOffAt!);
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

export type ChangeResult = { ok: true } | { ok: false; code: 'unknown-finding' | 'signed-off' | 'superseded'; message: string; messageZh?: string };

/** A signed version never changes, and an older draft is history: only the current draft takes remarks and a sign-off. */
function frozen(db: Db, rec: ReportRecord, what: { en: string; zh: string }): ChangeResult | undefined {
  if (rec.signedOffAt !== null) return { ok: false, code: 'signed-off', message: `version ${rec.version} of this report is signed off; ${what.en}`, messageZh: `该报告第 ${rec.version} 版已签核，${what.zh}` };
  const newer = newerVersionOf(db, rec);
  if (newer) return { ok: false, code: 'superseded', message: `version ${rec.version} is superseded by version ${newer.version} (report ${newer.id}); work on that one`, messageZh: `第 ${rec.version} 版已被第 ${newer.version} 版取代，请在新版本上操作` };
  return undefined;
}

/** Set (or clear, with an empty text) an engineer's remark on a finding; refused once the report is signed off. */
export function setRemark(db: Db, rec: ReportRecord, findingId: string, remark: string, author: { id: string | null; name: string }, now: number): ChangeResult {
  const refused = frozen(db, rec, { en: 'remarks can no longer change', zh: '备注不能再修改' });
  if (refused) return refused;
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
  const refused = frozen(db, rec, { en: 'it cannot be signed off again', zh: '不能再次签核' });
  if (refused) return refused;
  db.prepare('UPDATE reports SET signed_off_by = ?, signed_off_name = ?, signed_off_at = ?, sign_off_note = ? WHERE id = ?').run(by.id, by.name, now, note, rec.id);
  dropRendered(rec);
  return { ok: true };
}

/** The rendered files no longer match the remarks or sign-off: delete the PDF (it is re-made on demand). */
export function dropRendered(rec: ReportRecord): void {
  rmSync(join(rec.filesDir, 'report.pdf'), { force: true });
}

export function storedPdf(rec: ReportRecord): Buffer | undefined {
  const p = join(rec.filesDir, 'report.pdf');
  return existsSync(p) ? readFileSync(p) : undefined;
}

export function storePdf(db: Db, rec: ReportRecord, pdf: Buffer): void {
  writeFileAtomic(join(rec.filesDir, 'report.pdf'), pdf);
  db.prepare('UPDATE reports SET has_pdf = 1 WHERE id = ?').run(rec.id);
}

export function storeHtml(rec: ReportRecord, html: string): void {
  writeFileSync(join(rec.filesDir, 'report.html'), html);
}

/** Remarks of an earlier draft follow its findings into the new version (same finding id = same cause). */
export function carryRemarks(db: Db, from: ReportRecord, to: ReportRecord, findingIds: readonly string[]): number {
  const keep = new Set(findingIds);
  const rows = db.prepare('SELECT finding_id AS findingId, remark, author_id AS authorId, author_name AS authorName, updated_at AS updatedAt FROM report_remarks WHERE report_id = ?').all(from.id) as Array<{
    findingId: string;
    remark: string;
    authorId: string | null;
    authorName: string;
    updatedAt: number;
  }>;
  const insert = db.prepare('INSERT OR IGNORE INTO report_remarks (report_id, finding_id, customer_id, remark, author_id, author_name, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  let n = 0;
  db.transaction(() => {
    for (const r of rows) if (keep.has(r.findingId)) n += insert.run(to.id, r.findingId, to.customerId, r.remark, r.authorId, r.authorName, r.updatedAt).changes;
  })();
  return n;
}
