import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

/** An absolute POSIX path without spaces or quotes: it goes into shell commands and the systemd unit. */
const RemotePath = z.string().regex(/^\/[A-Za-z0-9._/-]*$/, 'an absolute path of letters, digits and . _ - /');

/** A tag as the collector takes it (PATCH /api/hosts/:id). */
const Tag = z.string().regex(/^[\w.:-]{1,64}$/, 'a tag of letters, digits and _ . : - (at most 64)');

export const InventoryHostSchema = z.object({
  /** Address to SSH to. */
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().regex(/^[a-z_][a-z0-9_.-]*\$?$/i, 'a Unix user name'),
  /** Private key file (relative to the inventory file, or ~/...). */
  key: z.string().min(1),
  customer: z.string().min(1),
  /** The host's tags on the collector (templates are assigned by tag); left out: deploy leaves its tags alone. */
  tags: z.array(Tag).max(49).optional(),
  /** Becomes the tag `role:<role>`. */
  role: z.string().regex(/^[\w.:-]{1,59}$/, 'letters, digits and _ . : - (at most 59)').optional(),
  /** The name the agent reports and the collector lists it under; default: the host's own `hostname`. */
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'a host name (letters, digits, . _ -)').optional(),
  installDir: RemotePath.default('/opt/patrol-agent'),
  /** Run the root steps (systemd unit, the patrol user) through `sudo -n`: no password prompts, ever. */
  sudo: z.boolean().default(false),
  /** Node.js on the host when it is not `node` on the login PATH. */
  nodePath: RemotePath.optional(),
  /** A token for this host only (else --enroll-token, else one minted through the collector API). */
  enrollToken: z.string().min(1).optional(),
});
export type InventoryHost = z.infer<typeof InventoryHostSchema>;

export const InventorySchema = z.object({ hosts: z.array(InventoryHostSchema).min(1, 'the inventory lists no hosts') });

/**
 * The tags deploy gives the host on the collector: the inventory's tags, then `role:<role>`; undefined when the
 * entry names neither (the host's tags are then managed on the collector alone).
 */
export function collectorTags(h: Pick<InventoryHost, 'tags' | 'role'>): string[] | undefined {
  if (h.tags === undefined && h.role === undefined) return undefined;
  return [...new Set([...(h.tags ?? []), ...(h.role ? [`role:${h.role}`] : [])])];
}

/** The label a host has in progress lines and the result table. */
export function hostLabel(h: InventoryHost): string {
  return h.name ?? (h.port === 22 ? h.host : `${h.host}:${h.port}`);
}

function expandKeyPath(key: string, inventoryDir: string): string {
  if (key.startsWith('~/')) return resolve(homedir(), key.slice(2));
  return isAbsolute(key) ? key : resolve(inventoryDir, key);
}

/**
 * Read hosts.yaml: either `hosts: [...]` or a bare list. Key paths are made absolute. Errors name the host
 * entry and field, so a typo in entry 37 of 60 is found at once.
 */
export function parseInventory(text: string, inventoryDir: string, source = 'inventory'): InventoryHost[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`${source} is not valid YAML: ${(err as Error).message}`);
  }
  const parsed = InventorySchema.safeParse(Array.isArray(doc) ? { hosts: doc } : doc);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top)'}: ${i.message}`);
    throw new Error(`${source} is invalid: ${issues.join('; ')}`);
  }
  const hosts = parsed.data.hosts.map((h) => ({ ...h, key: expandKeyPath(h.key, inventoryDir) }));
  const seen = new Set<string>();
  for (const h of hosts) {
    const id = `${h.host}:${h.port}:${h.installDir}`;
    if (seen.has(id)) throw new Error(`${source} lists ${h.host}:${h.port} twice with the same installDir ${h.installDir}`);
    seen.add(id);
  }
  return hosts;
}

export function loadInventory(file: string): InventoryHost[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the inventory ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseInventory(text, dirname(resolve(file)), file);
}
