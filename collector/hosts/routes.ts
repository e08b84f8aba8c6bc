import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/context.js';
import type { Db } from '../db/database.js';
import { deleteRetiredHost, getHost, listHosts, type Host } from '../db/hosts.js';
import { listCheckStates, type CheckStateRow } from '../db/check-states.js';
import { getCustomer } from '../db/customers.js';
import type { MetricsStore } from '../metrics/store.js';
import { worstStatus } from '../../shared/status.js';
import { TimeParam, parseQuery } from '../http/params.js';

/** A host as the API shows it: its record, its worst check state, and whether its agent is online. */
function hostView(h: Host, checks: CheckStateRow[], customerName: string) {
  return {
    id: h.id,
    name: h.name,
    customerId: h.customerId,
    customerName,
    kind: h.kind,
    criticality: h.criticality,
    tags: h.tags,
    status: checks.length ? worstStatus(checks.map((c) => c.status)) : 'UNKNOWN',
    connected: h.connected,
    lastSeenAt: h.lastSeenAt,
    agentVersion: h.agentVersion,
    /** Set when its agent key was revoked: decommissioned, kept for the history of the time it was monitored. */
    retiredAt: h.retiredAt,
    facts: h.facts,
  };
}

const SeriesQuerySchema = z.object({
  measurement: z.string().min(1).max(200),
  field: z.string().min(1).max(200),
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  /** Bucket length in seconds; default splits the window into about 300 buckets. */
  step: z.coerce.number().positive().optional(),
  agg: z.enum(['mean', 'max', 'min', 'last', 'sum', 'count']).default('mean'),
  /** Comma-separated tags to split by (e.g. mount, iface). */
  groupBy: z.string().optional(),
  /** Extra tag filters as tag:value,tag:value (e.g. mount:/). */
  where: z.string().optional(),
});

const HostListQuerySchema = z.object({
  /** `include`: also retired hosts (decommissioned; left out by default). */
  retired: z.enum(['include', 'exclude']).default('exclude'),
});

export function hostRoutes(deps: { db: Db; store: MetricsStore }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { db, store } = deps;

  app.get('/', (c) => {
    const q = parseQuery(c, HostListQuerySchema);
    if (!q.ok) return q.res;
    const customerIds = c.get('customerIds');
    const states = listCheckStates(db, { customerIds });
    const byHost = new Map<string, CheckStateRow[]>();
    for (const s of states) byHost.set(s.hostId, [...(byHost.get(s.hostId) ?? []), s]);
    const names = new Map<string, string>();
    const hosts = listHosts(db, customerIds, q.data.retired === 'include' ? { includeRetiredSince: 0 } : {}).map((h) => {
      if (!names.has(h.customerId)) names.set(h.customerId, getCustomer(db, h.customerId)?.name ?? h.customerId);
      return hostView(h, byHost.get(h.id) ?? [], names.get(h.customerId)!);
    });
    return c.json({ hosts });
  });

  app.get('/:id', (c) => {
    const host = getHost(db, c.req.param('id'), c.get('customerIds'));
    if (!host) return c.json({ error: 'host not found' }, 404);
    const checks = listCheckStates(db, { hostId: host.id, customerIds: c.get('customerIds') });
    return c.json({ host: hostView(host, checks, getCustomer(db, host.customerId)?.name ?? host.customerId), checks });
  });

  /**
   * Hosts with an agent: removed here once retired (their agent key revoked). Agentless hosts are the remote
   * checks' routes (mounted after these), which this hands on to.
   */
  app.delete('/:id', async (c, next) => {
    const host = getHost(db, c.req.param('id'), c.get('customerIds'));
    if (!host) return c.json({ error: 'host not found' }, 404);
    if (host.kind !== 'agent') return next();
    const role = c.get('user').role;
    if (role !== 'admin' && role !== 'engineer') return c.json({ error: 'only engineers and admins remove hosts' }, 403);
    if (host.retiredAt === null) {
      return c.json({ error: 'a host with an agent is removed by revoking its agent key first (patrol deploy --uninstall, or POST /api/agents/:id/revoke): that retires it' }, 409);
    }
    const r = deleteRetiredHost(db, host.id);
    if (!r.removed) {
      return c.json({ error: `the host is retired and listed nowhere; its record stays because the reports of the time it was monitored need its history (${r.keptBy.join(', ')})` }, 409);
    }
    return c.json({ removed: true });
  });

  app.get('/:id/series', async (c) => {
    const host = getHost(db, c.req.param('id'), c.get('customerIds'));
    if (!host) return c.json({ error: 'host not found' }, 404);
    const q = parseQuery(c, SeriesQuerySchema);
    if (!q.ok) return q.res;
    const to = q.data.to ?? Date.now();
    const from = q.data.from ?? to - 3600_000;
    if (from >= to) return c.json({ error: 'from must be before to' }, 400);
    const stepMs = q.data.step ? q.data.step * 1000 : Math.max(10_000, Math.ceil((to - from) / 300 / 1000) * 1000);
    if ((to - from) / stepMs > 20_000) return c.json({ error: 'too many buckets: use a larger step' }, 400);
    const where: Record<string, string> = {};
    for (const pair of (q.data.where ?? '').split(',').filter(Boolean)) {
      const i = pair.indexOf(':');
      if (i > 0) where[pair.slice(0, i)] = pair.slice(i + 1);
    }
    // Tenancy lives in the tags too: the customer and host come from the record, never from the query.
    Object.assign(where, { customer: host.customerId, host: host.id });
    const series = await store.series({
      measurement: q.data.measurement,
      field: q.data.field,
      where,
      from,
      to,
      stepMs,
      agg: q.data.agg,
      groupBy: q.data.groupBy?.split(',').filter(Boolean),
    });
    return c.json({ hostId: host.id, measurement: q.data.measurement, field: q.data.field, from, to, stepMs, agg: q.data.agg, series });
  });

  return app;
}
