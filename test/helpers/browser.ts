import { expect } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureDebianPackage } from './system-packages.js';

/** Where page screenshots go (ignored by git; CI keeps it as an artifact). */
export const SCREENSHOT_DIR = join(process.cwd(), 'test-output', 'screenshots');

/** Headless Debian Chromium; the flags keep it from phoning home (tests never leave 127.0.0.1). */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = ensureDebianPackage('chromium', '/usr/bin/chromium');
  // Chinese pages render as boxes without a CJK font.
  ensureDebianPackage('fonts-wqy-microhei', '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc');
  return chromium.launch({
    executablePath,
    headless: true,
    // Without faketime's library (`npm run test:at`): Chromium's pages do not load under it.
    env: Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'LD_PRELOAD' && !e[0].startsWith('FAKETIME'))),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Every JS dialog (alert/confirm) the page opened: an XSS that fires shows up here. */
  dialogs: string[];
  /** Uncaught page errors and console errors. */
  errors: string[];
}

/** A fresh browser context (own cookies) with a page that records dialogs and errors. */
export async function openSession(browser: Browser, opts: { locale?: string } = {}): Promise<BrowserSession> {
  const context = await browser.newContext({ locale: opts.locale ?? 'en-US', viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return { context, page, dialogs, errors };
}

/** Log in through the real form, as a user would. */
export async function logIn(s: BrowserSession, baseUrl: string, username: string, password: string): Promise<void> {
  await s.page.goto(`${baseUrl}/login`);
  await s.page.fill('#username', username);
  await s.page.fill('#password', password);
  await Promise.all([s.page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 10_000 }), s.page.click('#login-submit')]);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Submit a form the client script sends as JSON; expect the success page load, or fail with the error it showed. */
export async function submitForm(s: BrowserSession, form: string): Promise<void> {
  const loaded = s.page.waitForEvent('load').then(() => 'saved');
  await s.page.click(`${form} button[type="submit"]`);
  const refused = s.page.waitForSelector(`${form} .form-error:not([hidden])`).then(async (el) => `refused: ${await el.innerText()}`);
  expect(await Promise.race([loaded, refused])).toBe('saved');
}

/** Submit and expect the form to show an error (returned) without leaving the page. */
export async function submitRefused(s: BrowserSession, form: string): Promise<string> {
  const url = s.page.url();
  await s.page.click(`${form} button[type="submit"]`);
  const box = await s.page.waitForSelector(`${form} .form-error:not([hidden])`);
  expect(s.page.url()).toBe(url);
  return box.innerText();
}

/** The browser sessions of one test file: logged in on demand, closed together (in afterAll or afterEach). */
export class SessionPool {
  private readonly sessions: BrowserSession[] = [];

  /** Getters: the browser and the collector's address exist only once the file's beforeAll ran. */
  constructor(
    private readonly browser: () => Browser,
    private readonly baseUrl: () => string,
  ) {}

  async logIn(username: string, password: string, locale = 'en-US'): Promise<BrowserSession> {
    const s = this.track(await openSession(this.browser(), { locale }));
    await logIn(s, this.baseUrl(), username, password);
    return s;
  }

  /** A session opened by hand (e.g. to change the page before logging in), closed with the others. */
  track(s: BrowserSession): BrowserSession {
    this.sessions.push(s);
    return s;
  }

  /**
   * Chromium has been seen, once in many runs, never to answer a context's close (after a navigation was aborted):
   * the hook then waited out its 10 minutes. A close that takes longer than `limitMs` fails the hook at once instead.
   */
  async closeAll(limitMs = 30_000): Promise<void> {
    for (const s of this.sessions.splice(0)) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`a browser context did not close within ${limitMs} ms`)), limitMs);
      });
      try {
        await Promise.race([s.context.close(), late]);
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
