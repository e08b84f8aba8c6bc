import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createUser } from '../../collector/db/users.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import type { Block, ReportDocument } from '../../collector/reports/document.js';
import { currentDocument } from '../../collector/reports/generate.js';
import { renderDocumentHtml } from '../../collector/reports/render-html.js';
import { renderReportDocx } from '../../collector/reports/render-docx.js';
import { logoDataUri } from '../../collector/reports/logo.js';
import { solidPng } from './png.js';
import { reportsPlugin } from '../../collector/reports/plugin.js';
import { getReportRecord, loadReport } from '../../collector/reports/report-store.js';
import type { InspectionReport } from '../../collector/reports/model.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { ensureDebianPackage } from '../helpers/system-packages.js';
import { tempDir } from '../helpers/temp-dir.js';
import { DEMO_CUSTOMER, DEMO_NOW, DEMO_PERIOD, seedDemoFleet, seedDemoProvider } from './demo-fleet.js';

/**
 * The Word file of the inspection report (issue 13, item 5), as a customer gets it from the dashboard: the demo
 * fleet's report in zh and en, downloaded through the API, opened by LibreOffice and printed to PDF, and its
 * text held against the PDF the collector prints with Chromium (the en one against its HTML): the same headings, contract, hosts, findings
 * and signature blocks, page x of y filled in, the charts there as pictures, and no English in the Chinese one
 * that the PDF has in Chinese. And the download keeps the PDF's rules: a draft is not the customer's, nor
 * another customer's report.
 */

const PASSWORD = 'pw-docx-1';
const auth = (user: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString('base64')}` });
const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Text with every space and line break taken out: the two PDFs wrap lines in different places. */
const squash = (s: string) => s.replace(/\s+/g, '');

describe('the inspection report as a Word file', () => {
  let c: TestCollector;
  const out = tempDir('report-docx');
  const ids: Partial<Record<'zh' | 'en', string>> = {};
  const docs: Partial<Record<'zh' | 'en', ReportDocument>> = {};
  const reports: Partial<Record<'zh' | 'en', InspectionReport>> = {};
  /** pdftotext of the PDF LibreOffice made from our .docx, and of our own (Chromium) PDF. */
  const fromDocx: Partial<Record<'zh' | 'en', string>> = {};
  const fromPdf: Partial<Record<'zh' | 'en', string>> = {};
  const pages: Partial<Record<'zh' | 'en', number>> = {};
  const pictures: Partial<Record<'zh' | 'en', number>> = {};
  /** The draft answers customers 404 on the Word download too (checked before it is signed). */
  let draftStatusForCustomer = 0;

  const call = (user: string, method: string, path: string, body?: unknown) =>
    fetch(`${c.url}/api/reports${path}`, { method, headers: { ...auth(user), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });

  beforeAll(async () => {
    ensureDebianPackage('chromium', '/usr/bin/chromium');
    ensureDebianPackage('fonts-wqy-microhei', '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc');
    ensureDebianPackage('poppler-utils', '/usr/bin/pdftotext');
    const soffice = ensureDebianPackage('libreoffice-writer-nogui', '/usr/bin/soffice');

    c = await startTestCollector({}, { plugins: [reportsPlugin], now: () => DEMO_NOW });
    await seedDemoFleet(c.db, c.store);
    seedDemoProvider(c.db);
    ensureCustomer(c.db, 'globex', 'Globex', DEMO_NOW);
    createUser(c.db, { username: 'eng', password: PASSWORD, role: 'engineer', serves: [DEMO_CUSTOMER], displayName: '李明', now: DEMO_NOW });
    createUser(c.db, { username: 'cust', password: PASSWORD, role: 'customer', customerId: DEMO_CUSTOMER, now: DEMO_NOW });
    createUser(c.db, { username: 'cust-globex', password: PASSWORD, role: 'customer', customerId: 'globex', now: DEMO_NOW });

    for (const lang of ['zh', 'en'] as const) {
      const made = await call('eng', 'POST', '', { customer: DEMO_CUSTOMER, period: DEMO_PERIOD, lang });
      expect(made.status).toBe(201);
      const id = ((await made.json()) as { id: string }).id;
      ids[lang] = id;
      if (lang === 'zh') draftStatusForCustomer = (await call('cust', 'GET', `/${id}/docx`)).status;
      expect((await call('eng', 'POST', `/${id}/sign-off`, { note: lang === 'zh' ? '巡检完成。' : 'Inspection done.' })).status).toBe(200);
      const rec = getReportRecord(c.db, id)!;
      docs[lang] = currentDocument({ db: c.db }, rec);
      reports[lang] = loadReport(c.db, rec);

      const docx = await call('cust', 'GET', `/${id}/docx`);
      expect(docx.status).toBe(200);
      expect(docx.headers.get('content-type')).toBe(DOCX_MIME);
      expect(docx.headers.get('content-disposition')).toBe(`attachment; filename="inspection-${DEMO_CUSTOMER}-${DEMO_PERIOD}-v1-${lang}.docx"`);
      const bytes = Buffer.from(await docx.arrayBuffer());
      expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK'); // a zip, as every .docx
      writeFileSync(join(out.path, `${lang}.docx`), bytes);
      // The zh PDF as printed by Chromium; the en one is held against the HTML it would be printed from (a
      // browser start less: the test stays within its time).
      if (lang === 'zh') {
        const pdf = await call('cust', 'GET', `/${id}/pdf`);
        expect(pdf.status).toBe(200);
        writeFileSync(join(out.path, `${lang}-chromium.pdf`), Buffer.from(await pdf.arrayBuffer()));
      }
    }

    // A document of another kind (as the fault report is) with a PNG logo and no chart: made without a browser.
    writeFileSync(join(out.path, 'plain.docx'), await renderReportDocx(PLAIN, { executablePath: '/nonexistent/chromium' }));

    // One LibreOffice run for all files, with a profile of its own so parallel runs do not share one.
    execFileSync(
      soffice,
      [`-env:UserInstallation=file://${join(out.path, 'lo-profile')}`, '--headless', '--convert-to', 'pdf', '--outdir', out.path, ...['zh', 'en', 'plain'].map((f) => join(out.path, `${f}.docx`))],
      { stdio: 'ignore', timeout: 180_000, env: { ...process.env, HOME: out.path } },
    );
    for (const lang of ['zh', 'en'] as const) {
      const lo = join(out.path, `${lang}.pdf`);
      fromDocx[lang] = execFileSync('pdftotext', [lo, '-'], { encoding: 'utf8' });
      fromPdf[lang] =
        lang === 'zh'
          ? execFileSync('pdftotext', [join(out.path, `${lang}-chromium.pdf`), '-'], { encoding: 'utf8' })
          : renderDocumentHtml(docs[lang]!).replace(/<style>[\s\S]*?<\/style>|<svg[\s\S]*?<\/svg>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
      pages[lang] = Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [lo], { encoding: 'utf8' }))![1]);
      // Lines of `pdfimages -list` after its two header lines: one per picture on a page.
      pictures[lang] = execFileSync('pdfimages', ['-list', lo], { encoding: 'utf8' }).trim().split('\n').length - 2;
    }
  }, 900_000);

  afterAll(async () => {
    await c?.destroy();
    out.remove();
  });

  test.each(['zh', 'en'] as const)('%s: every heading, the contract, each host, each finding and the signature blocks are in the Word file as in the PDF (HTML)', (lang) => {
    const doc = docs[lang]!;
    const r = reports[lang]!;
    const word = squash(fromDocx[lang]!);
    const pdf = squash(fromPdf[lang]!);
    const headings = doc.blocks.filter((b): b is Extract<Block, { kind: 'heading' }> => b.kind === 'heading').map((b) => b.text);
    const signatures = doc.blocks.find((b): b is Extract<Block, { kind: 'signatures' }> => b.kind === 'signatures')!;
    const expected = [
      ...headings,
      'YX-WB-2026-0318',
      ...r.hosts.map((h) => h.name),
      ...r.findings.map((f) => f.title),
      ...signatures.parties.map((p) => p.role),
      ...[signatures.signLabel, signatures.dateLabel, signatures.stampLabel].map((l) => l.replace(/[:：]\s*$/, '')),
      // Filled in by the engineer's sign-off.
      '李明',
    ];
    expect(headings.length).toBeGreaterThan(10);
    expect(r.findings.length).toBeGreaterThan(3);
    const missing = (text: string) => expected.filter((e) => !text.includes(squash(e)));
    expect(missing(pdf), 'missing from the Chromium PDF (en: its HTML)').toEqual([]);
    expect(missing(word), 'missing from the Word file').toEqual([]);
  });

  test.each(['zh', 'en'] as const)('%s: the running footer counts the pages, and the charts and logo are pictures in it', (lang) => {
    const L = docs[lang]!.pageLabel;
    const word = squash(fromDocx[lang]!);
    // The cover has no header or footer; page 2 onwards say "第 2 页 / 共 N 页" with N the real count.
    expect(word).toContain(squash(`${L.before}2${L.middle}${pages[lang]}${L.after}`));
    expect(word).toContain(squash(`${L.before}${pages[lang]}${L.middle}${pages[lang]}${L.after}`));
    expect(word).toContain(squash(docs[lang]!.footer.confidential));
    const charts = docs[lang]!.blocks.filter((b) => b.kind === 'chart').length;
    expect(charts).toBeGreaterThan(4);
    // Every chart, the cover's logo, and the header's logo on each page after the cover.
    expect(pictures[lang]).toBeGreaterThanOrEqual(charts + 1 + (pages[lang]! - 1));
  });

  test('the Chinese Word file has no English sentence where the PDF has Chinese', () => {
    const word = fromDocx.zh!;
    expect(word).toContain('巡检报告');
    // Runs of four or more Latin words; each must be one the PDF has too (host and product names, ids).
    const sentences = word.match(/[A-Za-z][A-Za-z'’-]*(?:[ ,]+[A-Za-z][A-Za-z'’-]*){3,}/g) ?? [];
    const pdf = squash(fromPdf.zh!);
    expect(sentences.filter((s) => !pdf.includes(squash(s)))).toEqual([]);
    // And the check can see English: the English file is full of such runs.
    expect((fromDocx.en!.match(/[A-Za-z][A-Za-z'’-]*(?:[ ,]+[A-Za-z][A-Za-z'’-]*){3,}/g) ?? []).length).toBeGreaterThan(20);
  });

  test('any report document renders: a PNG logo goes in as it is, and without charts no browser is needed', () => {
    const lo = join(out.path, 'plain.pdf');
    const text = squash(execFileSync('pdftotext', [lo, '-'], { encoding: 'utf8' }));
    for (const t of ['故障处理报告', '云巡信息', '一、故障经过', '处理步骤', '重启数据库服务', '客户确认签字', '第2页/共2页', '仅供客户内部使用']) expect(text).toContain(squash(t));
    const count = Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [lo], { encoding: 'utf8' }))![1]);
    expect(count).toBe(2);
    // The cover's logo and the header's on page 2.
    expect(execFileSync('pdfimages', ['-list', lo], { encoding: 'utf8' }).trim().split('\n').length - 2).toBe(2);
  });

  test('the download keeps the PDF rules: a draft is not the customer’s, nor another customer’s report', async () => {
    expect(draftStatusForCustomer).toBe(404);
    expect((await call('cust-globex', 'GET', `/${ids.zh}/docx`)).status).toBe(404);
    expect((await call('cust-globex', 'GET', `/${ids.zh}/pdf`)).status).toBe(404);
    const eng = await call('eng', 'GET', `/${ids.en}/docx`);
    expect(eng.status).toBe(200);
    expect(Buffer.from(await eng.arrayBuffer()).equals(readFileSync(join(out.path, 'en.docx')))).toBe(true);
    const listed = (await (await call('cust', 'GET', `/${ids.zh}`)).json()) as { downloads: { docx: string } };
    expect(listed.downloads.docx).toBe(`/api/reports/${ids.zh}/docx`);
  });
});

/** A small document of its own kind: cover with a PNG logo, a heading, a table, signatures; no chart. */
const PLAIN: ReportDocument = {
  lang: 'zh',
  title: '故障处理报告 INC-1',
  header: { logo: logoDataUri({ mime: 'image/png', data: solidPng(40, 20) }), left: '云巡信息', right: '故障处理报告' },
  footer: { confidential: '仅供客户内部使用' },
  pageLabel: { before: '第 ', middle: ' 页 / 共 ', after: ' 页' },
  blocks: [
    { kind: 'cover', logo: logoDataUri({ mime: 'image/png', data: solidPng(40, 20) }), issuer: '云巡信息', title: '故障处理报告', subtitle: 'INC-1', fields: [{ label: '工单号', value: 'INC-1', id: 'no' }], footer: [] },
    { kind: 'heading', level: 1, text: '一、故障经过', anchor: 'story' },
    { kind: 'table', head: ['时间', '处理步骤'], widths: [30, 70], rows: [[{ text: '2026-09-22 14:33', nowrap: true }, { text: '重启数据库服务', tone: 'ok' }]] },
    { kind: 'signatures', signLabel: '签字：', dateLabel: '日期：', stampLabel: '单位（盖章）：', parties: [{ role: '工程师签字', name: '', date: '' }, { role: '客户确认签字', name: '', date: '', stamp: true }] },
  ],
};
