import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, SessionPool, type BrowserSession } from '../helpers/browser.js';
import { generateReport, httpLogin, PASSWORDS, startDashboardWorld, type DashboardWorld } from './world.js';
import { SETTINGS_PAGES } from '../../collector/page-kit/settings-nav.js';

/**
 * Engineers on site use a phone (issue 14, item 6): every main page at 390x844 fits the screen (tables scroll
 * inside their own box, never the page), the menu folds behind a button, and buttons are big enough to tap.
 * One browser, one collector; the four sessions (admin and customer, zh and en) walk their pages side by side.
 * PATROL_DOC_SCREENSHOTS=1 also writes docs/screenshots/phone-zh.png (the overview).
 */
const PHONE = { width: 390, height: 844 };

let world: DashboardWorld;
let browser: Browser;
let reportId = '';
const pool = new SessionPool(() => browser, () => world.url);

beforeAll(async () => {
  [world, browser] = await Promise.all([startDashboardWorld(), launchBrowser()]);
  reportId = await generateReport(world.url, await httpLogin(world.url, 'admin', world.adminPassword), 'acme');
});

afterAll(async () => {
  await pool.closeAll();
  await browser?.close();
  await world?.collector.destroy();
});

function pagesOf(role: 'admin' | 'customer'): string[] {
  const shared = ['/', `/hosts/${world.chartHost.id}`, '/tickets', `/tickets/${world.recoveredAcme.number}`, '/reports', `/reports/${reportId}`, '/service-reports'];
  if (role === 'customer') return shared;
  return [...shared, `/tickets/${world.openAcme.number}`, '/agents', '/mail-triage', '/audit', '/settings', ...SETTINGS_PAGES.map((p) => p.href)];
}

/** What sticks out past the right edge (the deepest elements), to name in a failure. */
async function overflow(s: BrowserSession): Promise<{ width: number; culprits: string[]; smallButtons: string[] }> {
  return s.page.evaluate((limit) => {
    const width = document.scrollingElement!.scrollWidth;
    const culprits: string[] = [];
    const name = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
    if (width > limit) {
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.right > limit + 1 && r.width > 0 && ![...el.children].some((c) => c.getBoundingClientRect().right > limit + 1)) culprits.push(`${name(el.parentElement!)} > ${name(el)} (${Math.round(r.right)}px)`);
        if (culprits.length >= 5) break;
      }
    }
    const smallButtons = [...document.querySelectorAll('main button, main a.button, nav.top .nav-burger')]
      .filter((b) => {
        const r = b.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.height < 30;
      })
      .map((b) => `${name(b)} "${(b.textContent ?? '').trim().slice(0, 20)}"`);
    return { width, culprits, smallButtons };
  }, PHONE.width);
}

test('every main page fits a 390 px phone, for an admin and a customer, in zh and in en', async () => {
  const users = [
    { role: 'admin' as const, user: 'admin', password: world.adminPassword },
    { role: 'customer' as const, user: 'cust-a', password: PASSWORDS.custA },
  ];
  const problems: string[] = [];
  // Logged in one after the other (a login hashes a password: four at once crawl on a busy machine), then walked side by side.
  const walkers: Array<{ u: (typeof users)[number]; lang: 'zh' | 'en'; s: BrowserSession }> = [];
  for (const u of users) for (const lang of ['zh', 'en'] as const) walkers.push({ u, lang, s: await pool.logIn(u.user, u.password, lang === 'zh' ? 'zh-CN' : 'en-US') });
  await Promise.all(
    walkers.map(async ({ u, lang, s }) => {
      {
        await s.page.setViewportSize(PHONE);
        for (const path of pagesOf(u.role)) {
          const res = await s.page.goto(`${world.url}${path}`);
          if (!res || res.status() >= 400) {
            problems.push(`${u.role} ${lang} ${path}: HTTP ${res?.status()}`);
            continue;
          }
          // The host page draws its charts after load: measure once they are there.
          if (path.startsWith('/hosts/')) await s.page.waitForSelector('.charts[data-drawn]');
          const o = await overflow(s);
          if (o.width > PHONE.width) problems.push(`${u.role} ${lang} ${path}: page ${o.width}px wide; ${o.culprits.join(', ')}`);
          if (o.smallButtons.length) problems.push(`${u.role} ${lang} ${path}: small buttons ${o.smallButtons.slice(0, 4).join(', ')}`);
          if (path === '/' && lang === 'zh' && u.role === 'admin') {
            await screenshot(s.page, 'phone-zh');
            if (process.env.PATROL_DOC_SCREENSHOTS) await s.page.screenshot({ path: 'docs/screenshots/phone-zh.png' });
          }
        }
        expect(s.errors).toEqual([]);
      }
    }),
  );
  expect(problems).toEqual([]);
  // About 15 s on an idle machine; the margin is for a loaded CI box, where 56 page loads take their time.
}, 240_000);

test('on a phone the menu folds behind a button and opens with a tap', async () => {
  const s = await pool.logIn('admin', world.adminPassword, 'en-US');
  await s.page.setViewportSize(PHONE);
  await s.page.goto(`${world.url}/tickets`);
  const settings = s.page.locator('nav.top a[data-nav="settings"]');
  expect(await settings.isVisible()).toBe(false);
  await s.page.click('nav.top .nav-burger');
  expect(await settings.isVisible()).toBe(true);
  await Promise.all([s.page.waitForURL(/\/settings/), settings.click()]);
  // On a desktop the links are in the bar, no button.
  await s.page.setViewportSize({ width: 1366, height: 900 });
  expect(await s.page.locator('nav.top .nav-burger').isVisible()).toBe(false);
  expect(await s.page.locator('nav.top a[data-nav="tickets"]').isVisible()).toBe(true);
}, 120_000);
