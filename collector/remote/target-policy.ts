import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import type { CheckAssignment } from '../../shared/assignment.js';
import type { CheckOutcome } from '../../checks/define.js';
import { refused } from '../../checks/exec/refusal.js';
import { NETWORK_ONLY_CHECKS } from '../../checks/exec/host-access.js';
import { findCheck } from '../../checks/index.js';
import type { RemoteAccess, RemoteAllowances } from './remote-hosts.js';

/**
 * Where the network and database checks of an agentless host may connect from the collector: the host's own
 * address, and the targets an admin added to the host's allowances. Loopback, link-local and cloud metadata
 * addresses reach the collector's own services or the cloud's credentials, so they need the admin's
 * allowLocalAddresses even when they are the host's address. Names are resolved before they are judged.
 * (The check resolves the name again when it connects; a DNS answer that changes in between is not caught.)
 */

/** Every address a name stands for (IP literals stand for themselves). */
export type Lookup = (name: string) => Promise<string[]>;

export const systemLookup: Lookup = async (name) => (await dns.lookup(name, { all: true, verbatim: true })).map((a) => a.address);

const LOCAL = new BlockList();
LOCAL.addSubnet('127.0.0.0', 8, 'ipv4'); // loopback
LOCAL.addSubnet('0.0.0.0', 8, 'ipv4'); // "this host": a connection to 0.0.0.0 reaches loopback on Linux
LOCAL.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, with 169.254.169.254 (AWS, GCP, Azure, OpenStack metadata)
LOCAL.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
LOCAL.addAddress('168.63.129.16', 'ipv4'); // Azure wire server
LOCAL.addAddress('::1', 'ipv6');
LOCAL.addAddress('::', 'ipv6');
LOCAL.addSubnet('fe80::', 10, 'ipv6');
LOCAL.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6

/** Is this address one that needs an admin's allowLocalAddresses? IPv4-mapped IPv6 counts as its IPv4 address. */
export function isLocalAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return LOCAL.check(mapped[1]!, 'ipv4');
  const family = isIP(ip);
  if (family === 4) return LOCAL.check(ip, 'ipv4');
  if (family === 6) return LOCAL.check(ip, 'ipv6');
  return true; // not an address at all: never trusted
}

/** A host name or address as written in a URL or a parameter, compared without case, brackets or a final dot. */
function bare(target: string): string {
  return target.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
}

/** The host part of a DNS server parameter: "10.0.0.53", "10.0.0.53:5353", "[fd00::53]:53" or "fd00::53". */
function dnsServerHost(server: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(server);
  if (bracketed) return bracketed[1]!;
  return server.split(':').length === 2 ? server.split(':')[0]! : server;
}

/**
 * The assignment as the collector runs it for this host, and where it would connect. Checks that take a `host`
 * get the host's address when they name none; a DNS check without `server` asks the host itself (on an agentless
 * host, "the host's resolver" would be the collector's). An SNMP device's check gets its port and community.
 */
export function withTarget(a: CheckAssignment, access: RemoteAccess): { assignment: CheckAssignment; target?: string } {
  const p = a.params;
  if (a.checkId === 'system.clock') {
    // Runs `date` on the host but asks its NTP server from the collector: that server is a target like any other.
    const parsed = findCheck(a.checkId)?.params.safeParse(p);
    const clock = parsed?.success ? (parsed.data as { reference?: string; server?: string }) : undefined;
    return { assignment: a, target: clock?.reference === 'server' ? clock.server : undefined };
  }
  if (!NETWORK_ONLY_CHECKS.has(a.checkId)) return { assignment: a };
  if (a.checkId === 'network.http') {
    let target: string | undefined;
    try {
      target = typeof p.url === 'string' ? new URL(p.url).hostname : undefined;
    } catch {
      target = undefined; // the check's own schema refuses it before any connection
    }
    return { assignment: a, target };
  }
  if (a.checkId === 'network.dns') {
    const server = typeof p.server === 'string' ? p.server : access.address;
    return { assignment: { ...a, params: { ...p, server } }, target: dnsServerHost(server) };
  }
  const fromHost: Record<string, unknown> = { host: access.address };
  if (a.checkId === 'network.snmp' && access.kind === 'snmp') Object.assign(fromHost, { port: access.port, community: access.community });
  const params = { ...fromHost, ...p };
  return { assignment: { ...a, params }, target: typeof params.host === 'string' ? params.host : undefined };
}

/**
 * Why the collector must not connect to this target for this host, as the UNKNOWN outcome to report, or
 * undefined when it may. `where` names the place an admin changes it (the host's allowances).
 */
export async function targetRefusal(
  target: string,
  o: { address: string; allowances: RemoteAllowances; where: string; lookup?: Lookup },
): Promise<CheckOutcome | undefined> {
  const name = bare(target);
  const allowed = name === bare(o.address) || o.allowances.allowTargets.some((t) => bare(t) === name);
  if (!allowed) return refused('target.refused.notHost', { target, address: o.address, file: o.where });
  let ips: string[];
  try {
    ips = isIP(name) ? [name] : await (o.lookup ?? systemLookup)(name);
  } catch (err) {
    return refused('target.refused.unresolved', { target, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
  }
  if (!ips.length) return refused('target.refused.unresolved', { target, error: 'no address' });
  if (o.allowances.allowLocalAddresses) return undefined;
  const local = ips.find(isLocalAddress);
  return local === undefined ? undefined : refused('target.refused.local', { target, ip: local, file: o.where });
}
