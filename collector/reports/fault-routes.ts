import { Hono } from 'hono';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import type { AppEnv } from '../http/context.js';
import { parseQuery } from '../http/params.js';
import { notFound } from '../http/access.js';
import type { DashEnv } from '../page-kit/env.js';
import { findTicket } from '../tickets/ticket-store.js';
import { buildFaultDocument } from './fault-document.js';
import { pdfHeaderFooter, renderDocumentHtml } from './render-html.js';
import { renderDocumentMarkdown } from './render-markdown.js';
import { ChromiumMissingError, renderReportPdf } from './render-pdf.js';
import { DOCX_MIME, renderReportDocx } from './render-docx.js';

/**
 * The fault-handling report of one case: GET /api/tickets/:id/report (mounted by the reports plugin beside the
 * ticket API) and the dashboard's GET /tickets/:id/report, as HTML, PDF, Word (.docx, which customers edit and
 * stamp) or Markdown, in zh or en. It lives in the
 * reports room because it is laid out and rendered like the inspection report; the tickets room only supplies
 * the facts (tickets/fault-report.ts).
 */

export interface FaultRouteDeps {
  db: Db;
  now(): number;
  chromiumPath?: string;
}

export const FAULT_REPORT_FORMATS = ['html', 'pdf', 'docx', 'md'] as const;
export type FaultReportFormat = (typeof FAULT_REPORT_FORMATS)[number];

const ReportQuery = z.object({ format: z.enum(FAULT_REPORT_FORMATS).default('html'), lang: z.enum(['zh', 'en']).default('zh') });

/** A page without scripts that may load nothing from anywhere: the report is self-contained. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** The report as a response, or null when the caller may not see the case (answered as "not found"). */
export async function faultReportResponse(
  deps: FaultRouteDeps,
  idOrNumber: string,
  customerIds: readonly string[] | undefined,
  q: { format: FaultReportFormat; lang: 'zh' | 'en' },
): Promise<Response | null> {
  const now = deps.now();
  const t = findTicket(deps.db, idOrNumber, { customerIds, now });
  const doc = t && buildFaultDocument(deps.db, t.id, { customerIds, now, lang: q.lang });
  if (!t || !doc) return null;
  const file = `${t.number}-${q.lang}.${q.format}`;
  const disposition = `attachment; filename="${file}"`;
  if (q.format === 'md') return new Response(renderDocumentMarkdown(doc), { headers: { 'content-type': 'text/markdown; charset=utf-8', 'content-disposition': disposition } });
  const html = renderDocumentHtml(doc);
  if (q.format === 'html') return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8', 'content-disposition': disposition, 'content-security-policy': REPORT_CSP } });
  try {
    if (q.format === 'docx') {
      const docx = await renderReportDocx(doc, { executablePath: deps.chromiumPath });
      return new Response(new Uint8Array(docx), { headers: { 'content-type': DOCX_MIME, 'content-disposition': disposition } });
    }
    const pdf = await renderReportPdf(html, { executablePath: deps.chromiumPath, ...pdfHeaderFooter(doc) });
    return new Response(new Uint8Array(pdf), { headers: { 'content-type': 'application/pdf', 'content-disposition': disposition } });
  } catch (err) {
    if (err instanceof ChromiumMissingError) return Response.json({ error: err.message }, { status: 503 });
    throw err;
  }
}

/** GET /:id/report under /api/tickets. */
export function faultReportApiRoutes(deps: FaultRouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/:id/report', async (c) => {
    const q = parseQuery(c, ReportQuery);
    if (!q.ok) return q.res;
    return (await faultReportResponse(deps, c.req.param('id'), c.get('customerIds'), q.data)) ?? notFound(c);
  });
  return app;
}

/** GET /tickets/:id/report for the dashboard (the session's customers); an unknown format is HTML, an unknown language zh. */
export function faultReportPageRoutes(deps: FaultRouteDeps): Hono<DashEnv> {
  const app = new Hono<DashEnv>();
  app.get('/tickets/:id/report', async (c) => {
    const format = FAULT_REPORT_FORMATS.find((f) => f === c.req.query('format')) ?? 'html';
    const lang = c.req.query('lang') === 'en' ? 'en' : 'zh';
    return (await faultReportResponse(deps, c.req.param('id'), c.get('customerIds'), { format, lang })) ?? c.text('not found', 404);
  });
  return app;
}
