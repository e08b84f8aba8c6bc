import { readFileSync } from 'node:fs';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/context.js';
import { parseJson, parseQuery } from '../http/params.js';
import { canSeeCustomer, forbidden, isStaff, notFound, type RouteDeps } from '../http/access.js';
import { findTicket } from '../tickets/ticket-store.js';
import { listAttachments } from './attachments.js';
import { MailIntakeConfigInput, setMailIntakeConfig, viewMailIntakeConfig } from './config-store.js';
import type { MailPoller } from './poller.js';
import { listMailDomains, MailDomainSchema, MailDomainTakenError, setMailDomains } from './senders.js';
import { AssignTriageSchema, assignTriage, discardTriage, getTriage, listTriage } from './triage.js';

const isAdmin = (c: Context<AppEnv>) => c.get('user').role === 'admin';
const REFUSAL = { 'not-found': 404, forbidden: 403, conflict: 409, invalid: 400 } as const;
const TriageQuery = z.object({ state: z.enum(['open', 'assigned', 'discarded', 'all']).default('open') });
const Discard = z.object({ reason: z.string().trim().min(1).max(4000) });
const Domains = z.object({ domains: z.array(MailDomainSchema).max(50) });

/**
 * /api/mail-intake: the support mailbox's settings (admins; the password is write-only), a poll now, the triage
 * list (staff place or discard mails nobody could place), customers' mail domains, and mail attachments of a case.
 */
export function mailIntakeRoutes(deps: RouteDeps & { poller: MailPoller }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/config', (c) => (isAdmin(c) ? c.json({ config: viewMailIntakeConfig(deps.db) ?? null }) : forbidden(c)));
  app.put('/config', async (c) => {
    if (!isAdmin(c)) return forbidden(c);
    const b = await parseJson(c, MailIntakeConfigInput);
    if (!b.ok) return b.res;
    return c.json({ config: setMailIntakeConfig(deps.db, b.data, deps.now()) });
  });
  app.post('/poll', async (c) => {
    if (!isAdmin(c)) return forbidden(c);
    try {
      const s = await deps.poller.pollOnce(deps.now());
      if (!s) return c.json({ error: 'mail intake is not configured' }, 409);
      return c.json({ taken: s.taken, flagged: s.flagged });
    } catch (err) {
      return c.json({ error: `reading the mailbox failed: ${(err as Error).message}` }, 502);
    }
  });

  app.get('/triage', (c) => {
    if (!isStaff(c)) return forbidden(c);
    const q = parseQuery(c, TriageQuery);
    return q.ok ? c.json({ triage: listTriage(deps.db, q.data.state).map((m) => ({ ...m, attachments: listAttachments(deps.db, { triageId: m.id }).map(({ path: _p, ...a }) => a) })) }) : q.res;
  });
  app.post('/triage/:id/assign', async (c) => {
    const b = await parseJson(c, AssignTriageSchema);
    if (!b.ok) return b.res;
    const r = assignTriage(deps.db, c.req.param('id'), b.data, c.get('user'), c.get('customerIds'), deps.now());
    return r.ok ? c.json({ triage: r.triage, ticket: r.ticket }) : c.json({ error: r.message }, REFUSAL[r.error]);
  });
  app.post('/triage/:id/discard', async (c) => {
    const b = await parseJson(c, Discard);
    if (!b.ok) return b.res;
    const r = discardTriage(deps.db, c.req.param('id'), b.data.reason, c.get('user'), deps.now());
    return r.ok ? c.json({ triage: r.triage }) : c.json({ error: r.message }, REFUSAL[r.error]);
  });
  app.get('/triage/:id', (c) => {
    if (!isStaff(c)) return forbidden(c);
    const m = getTriage(deps.db, c.req.param('id'));
    return m ? c.json({ triage: m }) : notFound(c);
  });

  app.get('/customers/:id/domains', (c) => {
    const id = c.req.param('id');
    if (!canSeeCustomer(c, id)) return notFound(c);
    return c.json({ domains: listMailDomains(deps.db, [id]).map((d) => d.domain) });
  });
  app.put('/customers/:id/domains', async (c) => {
    if (!isAdmin(c)) return forbidden(c);
    const b = await parseJson(c, Domains);
    if (!b.ok) return b.res;
    try {
      return c.json({ domains: setMailDomains(deps.db, c.req.param('id'), b.data.domains, deps.now()) });
    } catch (err) {
      if (err instanceof MailDomainTakenError) return c.json({ error: err.message }, 409);
      return c.json({ error: (err as Error).message }, 404);
    }
  });

  /** The attachments a case got by mail, and one of them to download (the customer's own, or staff serving it). */
  app.get('/tickets/:id/attachments', (c) => {
    const t = findTicket(deps.db, c.req.param('id'), { customerIds: c.get('customerIds'), now: deps.now() });
    if (!t) return notFound(c);
    return c.json({ attachments: listAttachments(deps.db, { ticketId: t.id }).map(({ path: _p, ...a }) => a) });
  });
  app.get('/tickets/:id/attachments/:attachmentId', (c) => {
    const t = findTicket(deps.db, c.req.param('id'), { customerIds: c.get('customerIds'), now: deps.now() });
    const a = t && listAttachments(deps.db, { ticketId: t.id }).find((x) => x.id === c.req.param('attachmentId'));
    if (!a) return notFound(c);
    return c.body(readFileSync(a.path), 200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(a.filename)}`,
      'x-content-type-options': 'nosniff',
    });
  });
  return app;
}
