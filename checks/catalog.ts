import type { CheckDefinition } from './define.js';

type Loader = () => Promise<{ default: CheckDefinition }>;

/**
 * Every check Patrol knows, by id, as a loader of its module. Adding a check means adding its file and one line
 * here. The agent loads a check (and, through it, its driver) only when it is assigned one: in the agent bundle
 * each loader is a chunk of its own, so an agent running linux-base never reads the code of the database, SNMP or
 * script checks (issue 17). checks/index.ts loads them all for the collector, which validates any check's
 * parameters.
 */
// The dynamic import() calls stay literal: esbuild splits the agent bundle at each one.
export const CHECK_LOADERS: Readonly<Record<string, Loader>> = {
  'system.cpu': () => import('./system/cpu.js'),
  'system.memory': () => import('./system/memory.js'),
  'system.disk': () => import('./system/disk.js'),
  'system.network': () => import('./system/network.js'),
  'system.uptime': () => import('./system/uptime.js'),
  'script.nagios': () => import('./script/nagios.js'),
  'system.process': () => import('./system/process.js'),
  'system.service': () => import('./system/service.js'),
  'system.listening-ports': () => import('./system/listening-ports.js'),
  'system.clock': () => import('./system/clock.js'),
  'system.file': () => import('./system/file.js'),
  'system.log-pattern': () => import('./system/log-pattern.js'),
  'system.fds': () => import('./system/fds.js'),
  'system.zombies': () => import('./system/zombies.js'),
  'system.inventory': () => import('./system/inventory.js'),
  'system.accounts': () => import('./system/accounts.js'),
  'system.updates': () => import('./system/updates.js'),
  'network.ping': () => import('./network/ping.js'),
  'network.tcp': () => import('./network/tcp.js'),
  'network.http': () => import('./network/http.js'),
  'network.dns': () => import('./network/dns.js'),
  'db.postgres': () => import('./database/postgres.js'),
  'db.mysql': () => import('./database/mysql.js'),
  'db.redis': () => import('./database/redis.js'),
  'network.snmp': () => import('./network/snmp-device.js'),
};

export function knownCheckIds(): string[] {
  return Object.keys(CHECK_LOADERS);
}

/**
 * A check's definition, loaded on first use; undefined for an id nobody knows. A module whose check has another id
 * than its line here is a programming error and throws (the run becomes UNKNOWN with that message).
 */
export async function loadCheck(id: string): Promise<CheckDefinition | undefined> {
  if (!Object.hasOwn(CHECK_LOADERS, id)) return undefined;
  const def = (await CHECK_LOADERS[id]!()).default;
  if (def.id !== id) throw new Error(`checks/catalog.ts lists '${id}' but its module defines '${def.id}'`);
  return def;
}
