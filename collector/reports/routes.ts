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
import { acceptanceOf, decideReport, type AcceptanceDecision } from './acceptance.js';
import { deliveryStatus, queueDelivery } from './delivery-store.js';
import { createLogger } from '../../shared/logger.js';

const log = createLogger('reports.routes');

export interface ReportRouteDeps extends ReportDeps {
  /** Sends signed reports (delivery.ts); asked to run at once after a sign-off. Absent: the reports are not mailed. */
  deliverer?: { tick(now: number): Promise<void> };
}

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
  deliveredAt: r.deliveredAt,
  /** The customer's answer: 'accepted' (签收), 'returned' (with a remark, on GET /:id), or null while none. */
  acceptance: r.acceptedAt !== null ? ('accepted' as const) : r.returnedAt !== null ? ('returned' as const) : null,
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
  // The PDF is printed and the mail queued right away rather than on the next tick; the tick retries what fails.
  const sendSoon = () => {
    deps.deliverer?.tick(deps.now()).catch((err: Error) => log.error({ err }, 'sending signed reports failed; the next tick tries again'));
  };

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
    const entries = customerInspectionCalendar(deps.db, q.data.customer, deps.now(), { forCustomer: isCustomer(c) });
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
    if (!rec) return notFound(c);
    const delivery = deliveryStatus(deps.db, rec.id);
    const answer = acceptanceOf(deps.db, rec.id);
    return c.json({
      ...view(rec),
      // Staff see whom it went to and why a sending failed; the customer sees when it reached them.
      delivery: isCustomer(c) ? { deliveredAt: delivery.deliveredAt } : delivery,
      answer: answer ? { decision: answer.decision, by: answer.userName, at: answer.decidedAt, remark: answer.remark } : null,
      report: loadReport(deps.db, rec),
    });
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
    const by = user.displayName || user.username;
    // The sign-off and the request to mail it are one change: a crash between them cannot leave a signed report unsent.
    const res = deps.db.transaction(() => {
      const done = signOff(deps.db, rec, { id: user.id, name: by }, body.data.note, deps.now());
      if (done.ok) queueDelivery(deps.db, rec, by, deps.now());
      return done;
    })();
    if (!res.ok) return c.json({ error: res.message, ...(res.messageZh ? { errorZh: res.messageZh } : {}) }, 409);
    sendSoon();
    const signed = getReportRecord(deps.db, rec.id)!;
    return c.json(view(signed, getCustomer(deps.db, signed.customerId)?.name));
  });

  r.post('/:id/deliver', (c) => {
    const denied = staffOnly(c);
    if (denied) return denied;
    const rec = find(c);
    if (!rec) return notFound(c);
    if (rec.signedOffAt === null) return c.json({ error: 'only a signed report is sent to the customer', errorZh: '只有已签核的报告才能发送给客户' }, 409);
    const latest = deliveryStatus(deps.db, rec.id).latest;
    if (latest && (latest.state === 'preparing' || latest.state === 'queued')) return c.json({ error: 'this report is being sent already', errorZh: '该报告正在发送中' }, 409);
    const user = c.get('user');
    queueDelivery(deps.db, rec, user.displayName || user.username, deps.now());
    sendSoon();
    return c.json({ delivery: deliveryStatus(deps.db, rec.id) }, 202);
  });

  const decide = (decision: AcceptanceDecision) => async (c: Context<AppEnv>) => {
    if (!isCustomer(c)) return c.json({ error: "only the customer's own users can accept or return a report", errorZh: '只有客户本人可以签收或退回报告' }, 403);
    const rec = find(c);
    if (!rec) return notFound(c);
    const body = await parseJson(
      c,
      decision === 'returned'
        ? z.object({ remark: z.string().trim().min(1, 'say what is wrong with the report').max(4000) })
        : z.object({ remark: z.string().trim().max(4000).default('') }),
    );
    if (!body.ok) return body.res;
    const user = c.get('user');
    const res = decideReport(deps.db, rec, decision, { id: user.id, name: user.displayName || user.username }, body.data.remark, deps.now());
    if (!res.ok) return c.json({ error: res.message, errorZh: res.messageZh }, 409);
    const a = res.acceptance;
    return c.json({ ...view(getReportRecord(deps.db, rec.id)!), answer: { decision: a.decision, by: a.userName, at: a.decidedAt, remark: a.remark } });
  };
  r.post('/:id/accept', decide('accepted'));
  r.post('/:id/return', decide('returned'));

  return r;
}
