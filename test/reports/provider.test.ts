import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createUser } from '../../collector/db/users.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { reportsPlugin } from '../../collector/reports/plugin.js';
import { checkLogo, MAX_LOGO_BYTES } from '../../collector/reports/logo.js';
import { getReportRecord, loadReport } from '../../collector/reports/report-store.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { solidPng } from './png.js';
import { NOW, seedQuarter } from './seed.js';

/**
 * The provider's identity (issue 13, item 1) through /api/settings/provider: admins set the company, address,
 * hotline and a checked logo, and per customer the contract number and contact; engineers read, customers
 * neither; a report made afterwards carries a copy on its cover.
 */

const PASSWORD = 'pw-provider-1';
const auth = (user: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString('base64')}`, 'content-type': 'application/json' });

describe('provider settings', () => {
  let c: TestCollector;
  const call = async (user: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${c.url}/api${path}`, { method, headers: auth(user), body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    c = await startTestCollector({}, { plugins: [reportsPlugin], now: () => NOW });
    await seedQuarter(c.db, c.store, 'acme');
    ensureCustomer(c.db, 'globex', 'Globex', NOW);
    createUser(c.db, { username: 'boss', password: PASSWORD, role: 'admin', now: NOW });
    createUser(c.db, { username: 'eng-a', password: PASSWORD, role: 'engineer', serves: ['acme'], now: NOW });
    createUser(c.db, { username: 'cust-a', password: PASSWORD, role: 'customer', customerId: 'acme', now: NOW });
  });
  afterAll(async () => {
    await c?.destroy();
  });

  test('an admin sets the identity with a PNG logo; engineers read it, may not change it; customers see nothing', async () => {
    const png = solidPng(40, 20);
    const put = await call('boss', 'PUT', '/settings/provider', {
      companyName: '云巡信息技术有限公司',
      companyNameEn: 'Yunxun IT Services Ltd.',
      address: '北京市海淀区中关村大街 1 号',
      hotline: '400-800-1234',
      email: 'service@yunxun.example',
      logo: { base64: png.toString('base64') },
    });
    expect(put.status).toBe(200);
    expect(put.body.provider).toMatchObject({ companyName: '云巡信息技术有限公司', hotline: '400-800-1234', logo: { mime: 'image/png', bytes: png.length }, updatedBy: 'boss' });
    const read = await call('eng-a', 'GET', '/settings/provider');
    expect(read.status).toBe(200);
    expect(read.body.provider).toMatchObject({ companyNameEn: 'Yunxun IT Services Ltd.' });
    // An engineer sees the customers it serves only.
    expect((read.body.customers as Array<{ customerId: string }>).map((x) => x.customerId)).toEqual(['acme']);
    expect((await call('eng-a', 'PUT', '/settings/provider', { companyName: 'x' })).status).toBe(403);
    expect((await call('cust-a', 'GET', '/settings/provider')).status).toBe(403);
    // Saving without `logo` keeps the stored one; a bad e-mail is refused by name.
    // PUT replaces the fields; without `logo` the stored logo stays.
    const again = { companyName: '云巡信息技术有限公司', companyNameEn: 'Yunxun IT Services Ltd.', address: '北京市海淀区中关村大街 1 号', hotline: '400-800-1234' };
    expect(((await call('boss', 'PUT', '/settings/provider', again)).body.provider as { logo: unknown }).logo).toMatchObject({ mime: 'image/png' });
    const bad = await call('boss', 'PUT', '/settings/provider', { email: 'not-mail' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/email/);
  });

  test('logos that are not clean PNG or SVG drawings are refused with the reason', async () => {
    const svg = (inner: string) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">${inner}</svg>`);
    expect(checkLogo(svg('<rect width="10" height="10" fill="#06c"/>'))).toMatchObject({ ok: true, logo: { mime: 'image/svg+xml' } });
    expect(checkLogo(svg('<script>alert(1)</script>'))).toMatchObject({ ok: false, en: 'SVG logo may not contain <script>: only drawing is allowed' });
    expect(checkLogo(svg('<rect onload="x()"/>'))).toMatchObject({ ok: false });
    expect(checkLogo(svg('<image href="https://evil.example/a.png"/>'))).toMatchObject({ ok: false });
    expect(checkLogo(svg('<use href="#a"/>'))).toMatchObject({ ok: true });
    expect(checkLogo(svg('<rect style="fill:url(http://x/y)"/>'))).toMatchObject({ ok: false });
    expect(checkLogo(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2]))).toMatchObject({ ok: false, en: 'JPEG logos are not accepted: upload a PNG or SVG' });
    expect(checkLogo(solidPng(5000, 1))).toMatchObject({ ok: false, en: 'PNG is 5000x1 pixels; at most 4000 per side' });
    expect(checkLogo(solidPng(10, 10).subarray(0, 40))).toMatchObject({ ok: false });
    expect(checkLogo(Buffer.alloc(MAX_LOGO_BYTES + 1, 0x20))).toMatchObject({ ok: false, en: 'the logo is 193 KiB; at most 192 KiB' });

    const refused = await call('boss', 'PUT', '/settings/provider', { companyName: 'x', logo: { base64: svg('<script>1</script>').toString('base64') } });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'logo: SVG logo may not contain <script>: only drawing is allowed', errorZh: '标志：SVG 标志不能包含 <script>，只允许图形' });
    // Nothing was saved by the refused request.
    expect(((await call('boss', 'GET', '/settings/provider')).body.provider as { companyName: string }).companyName).toBe('云巡信息技术有限公司');
  });

  test("a customer's contract number and contact: admins set them, and a report made afterwards carries them and the provider on its cover", async () => {
    expect((await call('eng-a', 'PUT', '/settings/provider/customers/acme', { contractNumber: 'x' })).status).toBe(403);
    expect((await call('boss', 'PUT', '/settings/provider/customers/nobody', { contractNumber: 'x' })).status).toBe(404);
    const put = await call('boss', 'PUT', '/settings/provider/customers/acme', { contractNumber: 'HT-2026-018', contactName: '赵经理', contactPhone: '138-0000-0000', reportEmails: ['it@acme.example'] });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ customerId: 'acme', contractNumber: 'HT-2026-018', reportEmails: ['it@acme.example'] });
    expect((await call('eng-a', 'GET', '/settings/provider/customers/globex')).status).toBe(404);

    const made = await call('eng-a', 'POST', '/reports', { customer: 'acme', inspection: 'national-day-2026' });
    expect(made.status).toBe(201);
    const report = loadReport(c.db, getReportRecord(c.db, made.body.id as string)!);
    expect(report.cover).toMatchObject({
      contractNumber: 'HT-2026-018',
      customerContact: { name: '赵经理', phone: '138-0000-0000' },
      issuer: { name: '云巡信息技术有限公司', address: '北京市海淀区中关村大街 1 号', hotline: '400-800-1234' },
    });
    expect(report.cover.issuer.logo).toMatch(/^data:image\/png;base64,/);
    // The copy is the report's: later changes to the settings do not reach it.
    await call('boss', 'PUT', '/settings/provider', { companyName: '新名字' });
    expect(loadReport(c.db, getReportRecord(c.db, made.body.id as string)!).cover.issuer.name).toBe('云巡信息技术有限公司');
  });
});
