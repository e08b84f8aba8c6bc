import { existsSync } from 'node:fs';

/** Where Debian's `chromium` package puts the browser; PATROL_CHROMIUM overrides it. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export class ChromiumMissingError extends Error {
  override name = 'ChromiumMissingError';
}

// Flags measured on this machine (machine-notes.md): no sandbox as root, nothing that phones home.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Print the report HTML to PDF (A4, print CSS) with headless Chromium. Every network request the page
 * might try is aborted: the report is self-contained and the PDF must prove it.
 */
export async function renderReportPdf(html: string, opts: { executablePath?: string } = {}): Promise<Buffer> {
  const executablePath = opts.executablePath ?? process.env.PATROL_CHROMIUM ?? DEFAULT_CHROMIUM;
  if (!existsSync(executablePath)) {
    throw new ChromiumMissingError(
      `PDF needs Chromium at ${executablePath}, which is missing: install the Debian package 'chromium' (apt-get install -y chromium) or set PATROL_CHROMIUM; the HTML and JSON reports do not need it`,
    );
  }
  // Loaded here, not at start: playwright-core alone costs the collector ~80 MB of memory.
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, headless: true, args: FLAGS });
  try {
    const page = await browser.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}
