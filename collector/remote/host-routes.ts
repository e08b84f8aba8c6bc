import { basename, isAbsolute } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/context.js';
import { parseJson } from '../http/params.js';
import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { deleteHost, getHost, updateHostProfile, type Host } from '../db/hosts.js';
import { hostAssignmentProblem } from '../assignment/validate.js';
import { accessView, createRemoteHost, getRemoteAccess, listRemoteHosts, updateRemoteAccess, type RemoteAccess } from './remote-hosts.js';
import { KEY_REFUSED, PRIVATE_KEY_TEXT, removeUploadedKeyIfUnused, resolveCustomerKey, storeUploadedKey } from './customer-keys.js';

// A DNS name or an IPv4/IPv6 literal; nothing a shell or URL could misread.
const Address = z.string().min(1).max(255).regex(/^[A-Za-z0-9.:_-]+$/, 'a host name or IP address');
const Tags = z.array(z.string().min(1).max(64).regex(/^[\w.:-]+$/, 'letters, digits, _ . : -')).max(50);
const Criticality = z.enum(['low', 'normal', 'high', 'critical']);
const KeyPath = z
  .string()
  .min(1)
  .max(1000)
  .refine((p) => isAbsolute(p) || p === basename(p), "an absolute path to a private key file on the collector, or a file name in the customer's key folder");
/** The key's text, written into the customer's key folder (0600): no file needs copying to the collector by hand. */
const PrivateKey = z.string().max(32_000).regex(PRIVATE_KEY_TEXT, 'a private key in PEM or OpenSSH format (-----BEGIN ... PRIVATE KEY-----)');
/** For a key file encrypted with a passphrase; stored sealed with the collector's secret key. */
const Passphrase = z.string().min(1).max(1000);

const Common = {
  customerId: z.string().min(1),
  name: z.string().min(1).max(255),
  tags: Tags.default([]),
  criticality: Criticality.default('normal'),
};

const NewRemoteHostSchema = z
  .discriminatedUnion('kind', [
    z.object({
      ...Common,
      kind: z.literal('ssh'),
      address: Address,
      port: z.number().int().min(1).max(65535).default(22),
      user: z.string().min(1).max(64),
      keyPath: KeyPath.optional(),
      privateKey: PrivateKey.optional(),
      passphrase: Passphrase.optional(),
    }),
    z.object({ ...Common, kind: z.literal('snmp'), address: Address, port: z.number().int().min(1).max(65535).default(161), community: z.string().min(1).max(255) }),
  ])
  .refine((b) => b.kind !== 'ssh' || (b.keyPath === undefined) !== (b.privateKey === undefined), { message: 'give the key as keyPath or as privateKey (one of them)', path: ['keyPath'] });

const HostPatchSchema = z
  .object({
    name: z.string().min(1).max(255),
    tags: Tags,
    criticality: Criticality,
    address: Address,
    port: z.number().int().min(1).max(65535),
    user: z.string().min(1).max(64),
    keyPath: KeyPath,
    privateKey: PrivateKey,
    /** null removes a stored passphrase. */
    passphrase: Passphrase.nullable(),
    community: z.string().min(1).max(255),
  })
  .partial()
  .strict()
  .refine((p) => p.keyPath === undefined || p.privateKey === undefined, { message: 'give the key as keyPath or as privateKey, not both', path: ['keyPath'] });

/** What reaches and logs in to a host: only admins set it (see remoteHostRoutes). */
const ACCESS_FIELDS = ['address', 'port', 'user', 'keyPath', 'privateKey', 'passphrase', 'community'] as const;
const ACCESS_REFUSED = {
  error: "only admins set how the collector reaches a host (address, port, user, SSH key, passphrase, SNMP community); engineers change a host's name, tags and criticality",
  errorZh: '只有管理员可以设置采集器如何连接主机（地址、端口、用户、SSH 密钥、密钥口令、SNMP 团体名）；工程师可以修改主机的名称、标签和重要程度',
};
const keyRefused = { error: KEY_REFUSED.en, errorZh: KEY_REFUSED.zh };

export interface RemoteHostRouteDeps {
  db: Db;
  now(): number;
  /** A host's tags changed: its templates may have too. */
  onAssignmentChanged(hostId: string): void;
  /** A host's access changed or it was removed: drop open connections. */
  onAccessChanged(access: RemoteAccess): void;
  /** `<dataDir>/ssh-keys`: each customer's SSH keys live in a folder of their own below it (customer-keys.ts). */
  sshKeysDir: string;
}

function hostView(h: Host, access: RemoteAccess | undefined) {
  return { id: h.id, name: h.name, customerId: h.customerId, kind: h.kind, criticality: h.criticality, tags: h.tags, access: access ? accessView(access) : null };
}

/**
 * Hosts without an agent: add (kind ssh or snmp), change, remove. Mounted under /api/hosts beside the core
 * host routes. The key path, passphrase and community are stored but never shown again. How a host is reached
 * (address, port, user, key, community) is for admins only: it decides where the collector connects and with
 * which credentials. An SSH key must be one of the host's customer (customer-keys.ts); a key path that cannot
 * be used gets one answer whatever the reason, so no caller learns which files exist.
 */
export function remoteHostRoutes(deps: RemoteHostRouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { db, now, sshKeysDir } = deps;
  const canManage = (role: string) => role === 'admin' || role === 'engineer';
  /** Other hosts still logging in with a key file (it is removed only when none does). */
  const keyInUse = (path: string, exceptHostId: string) =>
    listRemoteHosts(db).some((rh) => rh.host.id !== exceptHostId && rh.access.kind === 'ssh' && rh.access.keyPath === path);

  app.post('/', async (c) => {
    if (c.get('user').role !== 'admin') return c.json(ACCESS_REFUSED, 403);
    const body = await parseJson(c, NewRemoteHostSchema);
    if (!body.ok) return body.res;
    const b = body.data;
    const ids = c.get('customerIds');
    if (!getCustomer(db, b.customerId) || (ids && !ids.includes(b.customerId))) return c.json({ error: 'customer not found' }, 404);
    let access: RemoteAccess;
    if (b.kind === 'ssh') {
      const keyPath = b.privateKey !== undefined ? storeUploadedKey(sshKeysDir, b.customerId, b.privateKey) : resolveCustomerKey(sshKeysDir, b.customerId, b.keyPath!);
      if (!keyPath) return c.json(keyRefused, 400);
      access = { kind: 'ssh', address: b.address, port: b.port, user: b.user, keyPath, passphrase: b.passphrase };
    } else access = { kind: 'snmp', address: b.address, port: b.port, community: b.community };
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
    // New tags bring their templates: an SNMP device must not get a check that would run on the collector.
    const tagProblem = p.tags ? hostAssignmentProblem(db, { ...host, tags: p.tags }, {}) : undefined;
    if (tagProblem) return c.json({ error: tagProblem.en, errorZh: tagProblem.zh }, 400);
    const before = getRemoteAccess(db, host);
    let after = before;
    const accessFields = ACCESS_FIELDS.filter((k) => p[k] !== undefined);
    if (accessFields.length) {
      if (c.get('user').role !== 'admin') return c.json(ACCESS_REFUSED, 403);
      if (!before) return c.json({ error: `a host with an agent has no ${accessFields.join(', ')}` }, 400);
      if (before.kind === 'ssh' && p.community !== undefined) return c.json({ error: 'an SSH host has no community' }, 400);
      if (before.kind === 'snmp' && (p.user !== undefined || p.keyPath !== undefined || p.privateKey !== undefined || p.passphrase !== undefined)) {
        return c.json({ error: 'an SNMP host has no user or key' }, 400);
      }
      if (before.kind === 'ssh') {
        let keyPath = before.keyPath;
        if (p.keyPath !== undefined) {
          const resolved = resolveCustomerKey(sshKeysDir, host.customerId, p.keyPath);
          if (!resolved) return c.json(keyRefused, 400);
          keyPath = resolved;
        } else if (p.privateKey !== undefined) keyPath = storeUploadedKey(sshKeysDir, host.customerId, p.privateKey);
        // A new key file comes without the old key's passphrase unless one is given with it.
        const passphrase = p.passphrase !== undefined ? (p.passphrase ?? undefined) : keyPath === before.keyPath ? before.passphrase : undefined;
        after = { ...before, address: p.address ?? before.address, port: p.port ?? before.port, user: p.user ?? before.user, keyPath, passphrase };
      } else after = { ...before, address: p.address ?? before.address, port: p.port ?? before.port, community: p.community ?? before.community };
      updateRemoteAccess(db, host, after, now());
      deps.onAccessChanged(before);
      if (before.kind === 'ssh' && after.kind === 'ssh' && after.keyPath !== before.keyPath) {
        removeUploadedKeyIfUnused(sshKeysDir, host.customerId, before.keyPath, keyInUse(before.keyPath, ''));
      }
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
    if (access.kind === 'ssh') removeUploadedKeyIfUnused(sshKeysDir, host.customerId, access.keyPath, keyInUse(access.keyPath, host.id));
    return c.json({ removed: true });
  });

  return app;
}
