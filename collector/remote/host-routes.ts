import { isAbsolute } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/context.js';
import { parseJson } from '../http/params.js';
import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { deleteHost, getHost, updateHostProfile, type Host } from '../db/hosts.js';
import { accessView, createRemoteHost, getRemoteAccess, updateRemoteAccess, type RemoteAccess } from './remote-hosts.js';

// A DNS name or an IPv4/IPv6 literal; nothing a shell or URL could misread.
const Address = z.string().min(1).max(255).regex(/^[A-Za-z0-9.:_-]+$/, 'a host name or IP address');
const Tags = z.array(z.string().min(1).max(64).regex(/^[\w.:-]+$/, 'letters, digits, _ . : -')).max(50);
const Criticality = z.enum(['low', 'normal', 'high', 'critical']);
const KeyPath = z.string().min(1).max(1000).refine(isAbsolute, 'an absolute path to a private key file on the collector');

const Common = {
  customerId: z.string().min(1),
  name: z.string().min(1).max(255),
  tags: Tags.default([]),
  criticality: Criticality.default('normal'),
};

const NewRemoteHostSchema = z.discriminatedUnion('kind', [
  z.object({ ...Common, kind: z.literal('ssh'), address: Address, port: z.number().int().min(1).max(65535).default(22), user: z.string().min(1).max(64), keyPath: KeyPath }),
  z.object({ ...Common, kind: z.literal('snmp'), address: Address, port: z.number().int().min(1).max(65535).default(161), community: z.string().min(1).max(255) }),
]);

const HostPatchSchema = z
  .object({
    name: z.string().min(1).max(255),
    tags: Tags,
    criticality: Criticality,
    address: Address,
    port: z.number().int().min(1).max(65535),
    user: z.string().min(1).max(64),
    keyPath: KeyPath,
    community: z.string().min(1).max(255),
  })
  .partial()
  .strict();

export interface RemoteHostRouteDeps {
  db: Db;
  now(): number;
  /** A host's tags changed: its templates may have too. */
  onAssignmentChanged(hostId: string): void;
  /** A host's access changed or it was removed: drop open connections. */
  onAccessChanged(access: RemoteAccess): void;
}

function hostView(h: Host, access: RemoteAccess | undefined) {
  return { id: h.id, name: h.name, customerId: h.customerId, kind: h.kind, criticality: h.criticality, tags: h.tags, access: access ? accessView(access) : null };
}

/**
 * Hosts without an agent: add (kind ssh or snmp), change, remove. Mounted under /api/hosts beside the core
 * host routes. The key path and the community are stored but never shown again.
 */
export function remoteHostRoutes(deps: RemoteHostRouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { db, now } = deps;
  const canManage = (role: string) => role === 'admin' || role === 'engineer';

  app.post('/', async (c) => {
    if (!canManage(c.get('user').role)) return c.json({ error: 'only engineers and admins add hosts' }, 403);
    const body = await parseJson(c, NewRemoteHostSchema);
    if (!body.ok) return body.res;
    const b = body.data;
    const ids = c.get('customerIds');
    if (!getCustomer(db, b.customerId) || (ids && !ids.includes(b.customerId))) return c.json({ error: 'customer not found' }, 404);
    const access: RemoteAccess =
      b.kind === 'ssh'
        ? { kind: 'ssh', address: b.address, port: b.port, user: b.user, keyPath: b.keyPath }
        : { kind: 'snmp', address: b.address, port: b.port, community: b.community };
    const { host } = createRemoteHost(db, { customerId: b.customerId, name: b.name, tags: b.tags, criticality: b.criticality, access, now: now() });
    return c.json({ host: hostView(host, access) }, 201);
  });

  app.get('/:id/access', (c) => {
    const host = getHost(db, c.req.param('id'), c.get('customerIds'));
    if (!host) return c.json({ error: 'host not found' }, 404);
    return c.json({ host: hostView(host, getRemoteAccess(db, host)) });
  });

  app.patch('/:id', async (c) => {
    if (!canManage(c.get('user').role)) return c.json({ error: 'only engineers and admins change hosts' }, 403);
    const host = getHost(db, c.req.param('id'), c.get('customerIds'));
    if (!host) return c.json({ error: 'host not found' }, 404);
    const body = await parseJson(c, HostPatchSchema);
    if (!body.ok) return body.res;
    const p = body.data;
    const before = getRemoteAccess(db, host);
    let after = before;
    const accessFields = (['address', 'port', 'user', 'keyPath', 'community'] as const).filter((k) => p[k] !== undefined);
    if (accessFields.length) {
      if (!before) return c.json({ error: `a host with an agent has no ${accessFields.join(', ')}` }, 400);
      if (before.kind === 'ssh' && p.community !== undefined) return c.json({ error: 'an SSH host has no community' }, 400);
      if (before.kind === 'snmp' && (p.user !== undefined || p.keyPath !== undefined)) return c.json({ error: 'an SNMP host has no user or key' }, 400);
      after =
        before.kind === 'ssh'
          ? { ...before, address: p.address ?? before.address, port: p.port ?? before.port, user: p.user ?? before.user, keyPath: p.keyPath ?? before.keyPath }
          : { ...before, address: p.address ?? before.address, port: p.port ?? before.port, community: p.community ?? before.community };
      updateRemoteAccess(db, host, after, now());
      deps.onAccessChanged(before);
    }
    updateHostProfile(db, host.id, { name: p.name, tags: p.tags, criticality: p.criticality });
    if (p.tags) deps.onAssignmentChanged(host.id);
    return c.json({ host: hostView(getHost(db, host.id)!, after) });
  });

  app.delete('/:id', (c) => {
    if (!canManage(c.get('user').role)) return c.json({ error: 'only engineers and admins remove hosts' }, 403);
    const host = getHost(db, c.req.param('id'), c.get('customerIds'));
    if (!host) return c.json({ error: 'host not found' }, 404);
    const access = getRemoteAccess(db, host);
    if (!access) return c.json({ error: 'a host with an agent is removed by revoking its agent, not here' }, 400);
    if (!deleteHost(db, host.id)) {
      return c.json({ error: 'the host has tickets or other history that reports still need; it cannot be removed' }, 409);
    }
    deps.onAccessChanged(access);
    return c.json({ removed: true });
  });

  return app;
}
