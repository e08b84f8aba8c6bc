import { withSandboxedChromium } from './sandboxed-chromium.js';

export { ChromiumMissingError, ChromiumSandboxError, DEFAULT_CHROMIUM } from './sandboxed-chromium.js';

/**
 * Print the report HTML to PDF (A4, print CSS) with headless Chromium, sandboxed and never as root
 * (sandboxed-chromium.ts). Every network request the page might try is aborted: the report is self-contained
 * and the PDF must prove it.
 */
export async function renderReportPdf(html: string, opts: { executablePath?: string; headerTemplate?: string; footerTemplate?: string } = {}): Promise<Buffer> {
  return withSandboxedChromium(async (context) => {
    const page = await context.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    // The running header and footer (logo, issuer, confidentiality line, page x of y) sit in the @page margins.
    const running = opts.headerTemplate !== undefined || opts.footerTemplate !== undefined;
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      preferCSSPageSize: true,
      displayHeaderFooter: running,
      headerTemplate: opts.headerTemplate ?? '<span></span>',
      footerTemplate: opts.footerTemplate ?? '<span></span>',
    });
  }, opts);
}
