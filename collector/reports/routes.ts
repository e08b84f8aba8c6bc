import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/context.js';
import { parseJson, parseQuery } from '../http/params.js';
import { getCustomer } from '../db/customers.js';
import { PeriodSchema } from './holiday-calendar.js';
import { customerInspectionCalendar } from './customer-calendar.js';
import { currentDocx, currentHtml, currentPdf, generateReport, ReportSignedError, type ReportDeps } from './generate.js';
import { ReportLangSchema } from './model.js';
import { ChromiumMissingError } from './render-pdf.js';
import { DOCX_MIME } from './render-docx.js';
import { fileBase, getReportRecord, listReports, loadReport, setRemark, signOff, type ReportRecord } from './report-store.js';
import { ReportTargetError } from './report-window.js';

export type ReportRouteDeps = ReportDeps;

const InspectionKeySchema = z.string().regex(/^[a-z-]+-\d{4}(-\d{2}-\d{2})?$/, 'an inspection like national-day-2026 or custom-2026-08-15');

const view = (r: ReportRecord, customerName?: string) => ({
  id: r.id,
  customerId: r.customerId,
  customerName: customerName ?? r.customerId,
  pdfStored: r.hasPdf,
  period: r.period,
  inspectionKey: r.inspectionKey,
  window: r.windowFrom !== null && r.windowTo !== null ? { from: r.windowFrom, to: r.windowTo } : null,
  lang: r.lang,
  scope: r.scope,
  version: r.version,
  generatedAt: r.generatedAt,
  healthScore: r.healthScore,
  inspectionId: r.inspectionId,
  status: r.signedOffAt !== null ? ('signed-off' as const) : ('draft' as const),
  signedOff: r.signedOffAt !== null ? { by: r.signedOffName, at: r.signedOffAt, note: r.signOffNote } : null,
  downloads: { html: `/api/reports/${r.id}/html`, pdf: `/api/reports/${r.id}/pdf`, docx: `/api/reports/${r.id}/docx`, json: `/api/reports/${r.id}/json` },
});

/**
 * /api/reports. Tenancy: every lookup takes the caller's visible customers, and a report of another
 * customer answers 404, exactly like one that does not exist. Customer users see only signed-off reports
 * (a draft is "not found" to them, in lists and downloads alike); engineers and admins see drafts too and
 * alone may generate, remark and sign off.
 */
export function reportRoutes(deps: ReportRouteDeps): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const visible = (c: Context<AppEnv>, customerId: string) => {
    const ids = c.get('customerIds');
    return (!ids || ids.includes(customerId)) && getCustomer(deps.db, customerId) !== undefined;
  };
  const staffOnly = (c: Context<AppEnv>) => (c.get('user').role === 'customer' ? c.json({ error: 'only engineers and admins can do this' }, 403) : undefined);
  const isCustomer = (c: Context<AppEnv>) => c.get('user').role === 'customer';
  const find = (c: Context<AppEnv>) => {
    const rec = getReportRecord(deps.db, c.req.param('id') ?? '', c.get('customerIds'));
    return rec && (rec.signedOffAt !== null || !isCustomer(c)) ? rec : undefined;
  };
  const notFound = (c: Context<AppEnv>) => c.json({ error: 'report not found' }, 404);

  r.get('/', (c) => {
    const q = parseQuery(
      c,
      z.object({ customer: z.string().optional(), period: PeriodSchema.optional(), inspection: InspectionKeySchema.optional(), versions: z.enum(['latest', 'all']).default('latest') }),
    );
    if (!q.ok) return q.res;
    const recs = listReports(deps.db, {
      customerIds: c.get('customerIds'),
      customerId: q.data.customer,
      period: q.data.period,
      inspectionKey: q.data.inspection,
      signedOnly: isCustomer(c),
      allVersions: q.data.versions === 'all',
    });
    return c.json({ reports: recs.map((rec) => view(rec, getCustomer(deps.db, rec.customerId)?.name)) });
  });

  r.get('/calendar', (c) => {
    const q = parseQuery(c, z.object({ customer: z.string().min(1) }));
    if (!q.ok) return q.res;
    if (!visible(c, q.data.customer)) return c.json({ error: 'customer not found' }, 404);
    const entries = customerInspectionCalendar(deps.db, q.data.customer, deps.now());
    return c.json({
      customerId: q.data.customer,
      inspections: entries,
      upcoming: entries.filter((e) => e.status === 'upcoming'),
      due: entries.filter((e) => e.status === 'due'),
      overdue: entries.filter((e) => e.status === 'overdue'),
    });
  });

  r.post('/', async (c) => {
    const denied = staffOnly(c);
    if (denied) return denied;
    // `customerId` is what the dashboard's form sends; `customer` matches the CLI's flag. The report is of
    // one inspection (`inspection`), or of exactly one quarter (`period` alone).
    const body = await parseJson(
      c,
      z
        .object({
          customer: z.string().min(1).optional(),
          customerId: z.string().min(1).optional(),
          inspection: InspectionKeySchema.optional(),
          period: PeriodSchema.optional(),
          lang: ReportLangSchema.default('zh'),
          pdf: z.boolean().default(false),
        })
        .transform((b) => ({ ...b, customer: b.customer ?? b.customerId ?? '' }))
        .refine((b) => b.customer !== '', { message: 'customer: required' })
        .refine((b) => b.inspection !== undefined || b.period !== undefined, { message: 'inspection or period: required' }),
    );
    if (!body.ok) return body.res;
    if (!visible(c, body.data.customer)) return c.json({ error: 'customer not found' }, 404);
    const user = c.get('user');
    try {
      const rec = await generateReport(deps, {
        customerId: body.data.customer,
        inspectionKey: body.data.inspection,
        period: body.data.period,
        lang: body.data.lang,
        pdf: body.data.pdf,
        engineer: user.displayName || user.username,
      });
      return c.json(view(rec, getCustomer(deps.db, rec.customerId)?.name), 201);
    } catch (err) {
      if (err instanceof ChromiumMissingError) return c.json({ error: err.message }, 503);
      if (err instanceof ReportTargetError) return c.json({ error: err.message }, 400);
      if (err instanceof ReportSignedError) return c.json({ error: err.message, errorZh: err.messageZh, signedReport: err.signed.id }, 409);
      throw err;
    }
  });

  r.get('/:id', (c) => {
    const rec = find(c);
    return rec ? c.json({ ...view(rec), report: loadReport(deps.db, rec) }) : notFound(c);
  });
  r.get('/:id/json', (c) => {
    const rec = find(c);
    if (!rec) return notFound(c);
    c.header('Content-Disposition', `attachment; filename="${fileBase(rec)}.json"`);
    return c.json(loadReport(deps.db, rec));
  });
  r.get('/:id/html', (c) => {
    const rec = find(c);
    if (!rec) return notFound(c);
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    return c.html(currentHtml(deps, rec));
  });
  r.get('/:id/pdf', async (c) => {
    const rec = find(c);
    if (!rec) return notFound(c);
    try {
      const pdf = await currentPdf(deps, rec);
      return c.body(new Uint8Array(pdf), 200, {
        'Content-Type': 'application/pdf',
        'Content-Disposition': `attachment; filename="${fileBase(rec)}.pdf"`,
      });
    } catch (err) {
      if (err instanceof ChromiumMissingError) return c.json({ error: err.message }, 503);
      throw err;
    }
  });

  // The Word file (customers edit and stamp it): same blocks as the PDF, same access rules.
  r.get('/:id/docx', async (c) => {
    const rec = find(c);
    if (!rec) return notFound(c);
    try {
      const docx = await currentDocx(deps, rec);
      return c.body(new Uint8Array(docx), 200, { 'Content-Type': DOCX_MIME, 'Content-Disposition': `attachment; filename="${fileBase(rec)}.docx"` });
    } catch (err) {
      if (err instanceof ChromiumMissingError) return c.json({ error: err.message }, 503);
      throw err;
    }
  });

  r.put('/:id/remarks/:findingId', async (c) => {
    const denied = staffOnly(c);
    if (denied) return denied;
    const rec = find(c);
    if (!rec) return notFound(c);
    const body = await parseJson(c, z.object({ remark: z.string().max(4000) }));
    if (!body.ok) return body.res;
    const user = c.get('user');
    const res = setRemark(deps.db, rec, c.req.param('findingId'), body.data.remark, { id: user.id, name: user.displayName || user.username }, deps.now());
    if (!res.ok) return c.json({ error: res.message, ...(res.messageZh ? { errorZh: res.messageZh } : {}) }, res.code === 'unknown-finding' ? 404 : 409);
    return c.json({ ok: true });
  });

  r.post('/:id/sign-off', async (c) => {
    const denied = staffOnly(c);
    if (denied) return denied;
    const rec = find(c);
    if (!rec) return notFound(c);
    const body = await parseJson(c, z.object({ note: z.string().max(4000).default('') }));
    if (!body.ok) return body.res;
    const user = c.get('user');
    const res = signOff(deps.db, rec, { id: user.id, name: user.displayName || user.username }, body.data.note, deps.now());
    if (!res.ok) return c.json({ error: res.message, ...(res.messageZh ? { errorZh: res.messageZh } : {}) }, 409);
    const signed = getReportRecord(deps.db, rec.id)!;
    return c.json(view(signed, getCustomer(deps.db, signed.customerId)?.name));
  });

  return r;
}
