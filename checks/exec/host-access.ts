/**
 * Checks that only open network connections from wherever they run: no program and no file of the checked host.
 * For a host without an agent they run in the collector, against the host's address; every other check runs
 * programs or reads files on the host (ctx.exec, ctx.system), which only an agent or an SSH login can do.
 * A check missing here counts as one that runs on the host (the safe side): an SNMP device never gets it.
 */
export const NETWORK_ONLY_CHECKS: ReadonlySet<string> = new Set([
  'network.tcp',
  'network.http',
  'network.dns',
  'network.snmp',
  'db.postgres',
  'db.mysql',
  'db.redis',
]);

/** Host kinds: an agent runs everything on the host, SSH runs programs on the host, an SNMP device nothing. */
export type HostKindName = 'agent' | 'ssh' | 'snmp';

/** Can a host of this kind run this check without anything being executed on the collector? */
export function kindCanRun(kind: HostKindName, checkId: string): boolean {
  return kind !== 'snmp' || NETWORK_ONLY_CHECKS.has(checkId);
}
