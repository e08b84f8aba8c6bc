import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/context.js';
import { parseQuery } from '../http/params.js';
import { canSeeCustomer, notFound, type RouteDeps } from '../http/access.js';
import { buildMonthlyReport } from './model.js';
import { renderMonthlyCsv, renderMonthlyHtml, renderMonthlyXlsx } from './render.js';
import { renderMonthlyPdf } from './document.js';
import { ChromiumMissingError } from '../reports/render-pdf.js';

const Query = z.object({ format: z.enum(['json', 'html', 'pdf', 'csv', 'xlsx']).default('json'), lang: z.enum(['zh', 'en']).default('zh') });
const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);

/** GET /api/service-reports/:customerId/:month (YYYY-MM) as json, html, pdf, csv or xlsx: for the customer's staff and users. */
export function serviceReportRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/:customerId/:month', async (c) => {
    const q = parseQuery(c, Query);
    if (!q.ok) return q.res;
    const { customerId, month } = c.req.param();
    if (!Month.safeParse(month).success) return c.json({ error: 'month: YYYY-MM' }, 400);
    if (!canSeeCustomer(c, customerId)) return notFound(c);
    const r = buildMonthlyReport(deps.db, customerId, month, deps.now());
    if (!r) return notFound(c);
    const name = `service-report-${customerId}-${month}-${q.data.lang}`;
    switch (q.data.format) {
      case 'json':
        return c.json({ report: r });
      case 'html':
        return c.body(renderMonthlyHtml(r, q.data.lang), 200, { 'content-type': 'text/html; charset=utf-8' });
      case 'pdf':
        try {
          return c.body(new Uint8Array(await renderMonthlyPdf(deps.db, r, q.data.lang)), 200, { 'content-type': 'application/pdf', 'content-disposition': `inline; filename="${name}.pdf"` });
        } catch (err) {
          if (err instanceof ChromiumMissingError) return c.json({ error: err.message }, 503);
          throw err;
        }
      case 'csv':
        return c.body(renderMonthlyCsv(r, q.data.lang), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"` });
      case 'xlsx':
        return c.body(new Uint8Array(await renderMonthlyXlsx(r, q.data.lang)), 200, {
          'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'content-disposition': `attachment; filename="${name}.xlsx"`,
        });
    }
  });
  return app;
}
