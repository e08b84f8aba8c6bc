import type { Db } from '../db/database.js';
import { cell, type Block, type Cell, type ReportDocument } from '../reports/document.js';
import { labels } from '../reports/labels.js';
import { reportIssuer, type ReportIssuer } from '../reports/provider-store.js';
import { pdfHeaderFooter, renderDocumentHtml } from '../reports/render-html.js';
import { renderReportPdf } from '../reports/render-pdf.js';
import type { MonthlyReport } from './model.js';
import { fmt, reportTables, W, type Lang } from './render.js';
import { channelName } from '../tickets/case-report.js';
import { withSandboxedChromium } from '../reports/sandboxed-chromium.js';

/**
 * The monthly service report laid out as the inspection report's blocks (reports/document.ts), so its PDF has the
 * same cover, running header and footer (issuer's logo and name, confidentiality line, page x of y) and fonts.
 * The figures are the tables render.ts makes for HTML, CSV and Excel: the four formats never disagree.
 */
export function monthlyDocument(r: MonthlyReport, lang: Lang, issuer: ReportIssuer): ReportDocument {
  const w = W[lang];
  const L = labels(lang);
  const x = reportTables(r, lang);
  const rows = (t: readonly (readonly string[])[], numericFrom = 1): Cell[][] => t.map((row) => row.map((v, i) => cell(v, i >= numericFrom ? { numeric: true, nowrap: true } : {})));
  const table = (head: string[], body: Cell[][], widths?: number[], id?: string): Block =>
    body.length === 0 ? { kind: 'paragraph', text: w.none, tone: 'muted' } : { kind: 'table', head, rows: body, ...(widths ? { widths } : {}), ...(id ? { id } : {}) };
  const blocks: Block[] = [
    {
      kind: 'cover',
      logo: issuer.logo,
      issuer: issuer.name,
      title: w.title,
      subtitle: `${r.customerName} · ${r.month}`,
      fields: [
        { label: L.provider, value: issuer.name || '-', id: 'cover-provider' },
        { label: w.customer, value: r.customerName, id: 'cover-customer' },
        { label: w.month, value: `${r.month} (${fmt(r.from)} – ${fmt(r.to)})`, id: 'cover-month' },
        { label: w.generated, value: fmt(r.generatedAt), id: 'cover-generated' },
      ],
      footer: [
        issuer.address ? `${L.addressLine}: ${issuer.address}` : '',
        issuer.hotline ? `${L.hotlineLine}: ${issuer.hotline}` : '',
        issuer.email ? `${L.emailLine}: ${issuer.email}` : '',
      ].filter(Boolean),
    },
    { kind: 'heading', level: 1, text: w.summaryTitle, anchor: 'summary' },
    // Customer and month are on the cover and in every page's header: the figures only.
    table([w.item, w.value], x.summary.slice(2).map(([k, v]) => [cell(k!, { bold: true }), cell(v!, { numeric: true })]), [70, 30], 'summary'),
    { kind: 'heading', level: 1, text: w.cases, anchor: 'cases' },
    { kind: 'heading', level: 2, text: w.caseList },
    table(
      [w.number, w.opened, w.channel, w.severity, w.title2],
      r.cases.numbers.map((t) => [cell(t.number, { nowrap: true }), cell(fmt(t.openedAt), { nowrap: true }), cell(channelName(t.channel, lang)), cell(t.severity, { nowrap: true }), cell(t.title)]),
      [18, 18, 12, 8, 44],
      'case-list',
    ),
    { kind: 'heading', level: 2, text: w.byChannel },
    table([w.byChannel, w.total], rows(x.byChannel), [70, 30]),
    { kind: 'heading', level: 2, text: w.bySeverity },
    table([w.severity, w.total], rows(x.bySeverity), [70, 30]),
    { kind: 'heading', level: 1, text: w.sla, anchor: 'sla' },
    table([w.target, w.judged, w.met, w.pct], rows(x.sla), [40, 20, 20, 20], 'sla'),
    { kind: 'heading', level: 2, text: w.misses },
    table(
      [w.number, w.title2, w.severity, w.target, w.due, w.done, w.late],
      x.misses.map((m) => m.map((v, i) => cell(v, i === 6 ? { numeric: true } : i === 0 || i === 2 || i === 4 || i === 5 ? { nowrap: i !== 5 || m[5]!.length < 20 } : {}))),
      [15, 23, 8, 9, 16, 16, 13],
      'misses',
    ),
    { kind: 'heading', level: 1, text: w.availability, anchor: 'availability' },
    table([w.host, w.down, w.avail], rows(x.availability), [50, 25, 25], 'availability'),
    { kind: 'heading', level: 1, text: w.satisfaction, anchor: 'satisfaction' },
    table([w.ratings, w.average], [[cell(String(r.satisfaction.count), { numeric: true }), cell(r.satisfaction.average === null ? '-' : String(r.satisfaction.average), { numeric: true })]], [50, 50]),
    table([w.number, w.score, w.remark], x.ratings.map((row) => [cell(row[0]!, { nowrap: true }), cell(row[1]!, { numeric: true }), cell(row[2]!)]), [20, 10, 70], 'ratings'),
    { kind: 'paragraph', text: w.accounting, small: true, tone: 'muted', id: 'accounting' },
  ];
  return {
    lang,
    title: `${w.title} ${r.customerName} ${r.month}`,
    blocks,
    header: { logo: issuer.logo, left: issuer.name || w.title, right: `${r.customerName} · ${r.month} · ${w.title}` },
    footer: { confidential: L.confidential(r.customerName) },
    pageLabel: L.pageLabel,
  };
}

/** The monthly report as a PDF, printed like the inspection report (sandboxed Chromium, A4, running header and footer). */
export async function renderMonthlyPdf(db: Db, r: MonthlyReport, lang: Lang, opts: { chromiumPath?: string } = {}): Promise<Buffer> {
  const doc = monthlyDocument(r, lang, reportIssuer(db, lang));
  return renderReportPdf(renderDocumentHtml(doc), { executablePath: opts.chromiumPath, ...pdfHeaderFooter(doc) });
}

/**
 * Many monthly reports (every customer's, on the 1st) printed in one sandboxed Chromium: starting the browser is
 * most of a PDF's cost. The same print settings as reports/render-pdf.ts.
 */
export async function renderMonthlyPdfs(db: Db, reports: readonly MonthlyReport[], lang: Lang, opts: { chromiumPath?: string } = {}): Promise<Buffer[]> {
  if (reports.length === 0) return [];
  const issuer = reportIssuer(db, lang);
  return withSandboxedChromium(async (context) => {
    const out: Buffer[] = [];
    for (const r of reports) {
      const doc = monthlyDocument(r, lang, issuer);
      const page = await context.newPage();
      try {
        await page.route('**/*', (route) => route.abort());
        await page.setContent(renderDocumentHtml(doc), { waitUntil: 'load' });
        out.push(await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true, displayHeaderFooter: true, ...pdfHeaderFooter(doc) }));
      } finally {
        await page.close();
      }
    }
    return out;
  }, { executablePath: opts.chromiumPath });
}
