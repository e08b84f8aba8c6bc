import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/context.js';
import { parseJson } from '../http/params.js';
import type { Db } from '../db/database.js';
import { getCustomer, listCustomers } from '../db/customers.js';
import { createLogger } from '../../shared/logger.js';
import { checkLogo, type Logo } from './logo.js';
import {
  CustomerReportProfileSchema,
  getCustomerReportProfile,
  getProviderIdentity,
  ProviderIdentitySchema,
  setCustomerReportProfile,
  setProviderIdentity,
} from './provider-store.js';

const log = createLogger('reports.provider');

/** A logo in a JSON body: the file as base64 (the type is read from the content, see logo.ts). */
const LogoUpload = z.object({ base64: z.string().max(400_000).regex(/^[A-Za-z0-9+/=\s]*$/, 'base64') });

const ProviderPut = ProviderIdentitySchema.extend({
  /** A new logo; null removes it; absent keeps the stored one. */
  logo: LogoUpload.nullable().optional(),
});

/**
 * /api/settings/provider: the provider's identity on every report and, per customer, the contract number and
 * the customer's contact. Staff read it (engineers see the customers they serve); only admins change it.
 */
export function providerRoutes(deps: { db: Db; now(): number }): Hono<AppEnv> {
  const { db } = deps;
  const r = new Hono<AppEnv>();
  const staffOnly = (c: Context<AppEnv>) => (c.get('user').role === 'customer' ? c.json({ error: 'only engineers and admins can see this' }, 403) : undefined);
  const adminOnly = (c: Context<AppEnv>) => (c.get('user').role !== 'admin' ? c.json({ error: 'only admins change the provider settings', errorZh: '只有管理员可以修改服务商信息' }, 403) : undefined);
  const who = (c: Context<AppEnv>) => c.get('user').displayName || c.get('user').username;

  r.get('/', (c) => {
    const denied = staffOnly(c);
    if (denied) return denied;
    const customers = listCustomers(db, c.get('customerIds')).map((cu) => ({ ...getCustomerReportProfile(db, cu.id), customerName: cu.name }));
    return c.json({ provider: getProviderIdentity(db), customers });
  });

  r.put('/', async (c) => {
    const denied = adminOnly(c);
    if (denied) return denied;
    const body = await parseJson(c, ProviderPut);
    if (!body.ok) return body.res;
    const { logo: upload, ...identity } = body.data;
    let logo: Logo | null | undefined = upload === null ? null : undefined;
    if (upload) {
      const checked = checkLogo(Buffer.from(upload.base64, 'base64'));
      if (!checked.ok) return c.json({ error: `logo: ${checked.en}`, errorZh: `标志：${checked.zh}` }, 400);
      logo = checked.logo;
    }
    const saved = setProviderIdentity(db, identity, logo, who(c), deps.now());
    log.info({ by: who(c), logo: saved.logo?.mime ?? null }, 'provider identity saved');
    return c.json({ provider: saved });
  });

  r.get('/customers/:customerId', (c) => {
    const denied = staffOnly(c);
    if (denied) return denied;
    const id = c.req.param('customerId');
    const ids = c.get('customerIds');
    if ((ids && !ids.includes(id)) || !getCustomer(db, id)) return c.json({ error: 'customer not found' }, 404);
    return c.json(getCustomerReportProfile(db, id));
  });

  r.put('/customers/:customerId', async (c) => {
    const denied = adminOnly(c);
    if (denied) return denied;
    const id = c.req.param('customerId');
    if (!getCustomer(db, id)) return c.json({ error: 'customer not found' }, 404);
    const body = await parseJson(c, CustomerReportProfileSchema);
    if (!body.ok) return body.res;
    return c.json(setCustomerReportProfile(db, id, body.data, deps.now()));
  });
  return r;
}
