import { isLoopbackHost } from '../shared/loopback.js';
import { fetchPinnedCa, formatPin, parsePin, splitEnrollmentToken } from '../shared/tls-pin.js';

/**
 * How `patrol deploy` trusts the collector, for its own API calls and for the agents it installs or moves:
 * --ca-file (a private CA: copied to every host as before), or a CA pin (--ca-pin, or the pin an --enroll-token
 * carries): deploy fetches the collector's CA, keeps it only if it matches the pin, trusts it for the API, and
 * writes the pin into each agent.json (caPin) so the agent pins the same CA. Neither: the system's CAs.
 */
export interface DeployTrust {
  /** PEM for deploy's own https calls to the collector API. */
  apiCa?: Buffer;
  /** The pin to write into agent.json (`sha256:...`). */
  caPin?: string;
}

/** Plain ws:// to another machine: the agents of this version refuse it, so deploy refuses before touching a host. */
export function plainCollectorProblem(collectorUrl: string, insecure: boolean): string | undefined {
  const u = new URL(collectorUrl);
  if (u.protocol !== 'ws:' || insecure || isLoopbackHost(u.hostname)) return undefined;
  return (
    `agents refuse plain ws:// to ${u.host} (anyone on the path could read their keys and send them checks): ` +
    `give --collector wss://${u.host}${u.pathname} with --ca-pin (from \`patrol-collector tls\` on the collector), ` +
    'or --insecure to keep them on plain ws:// on a network you trust'
  );
}

export async function resolveDeployTrust(o: { collectorUrl: string; caPem?: string; caPin?: string; enrollToken?: string }): Promise<DeployTrust> {
  if (o.caPem !== undefined) return { apiCa: Buffer.from(o.caPem) };
  if (new URL(o.collectorUrl).protocol !== 'wss:') return {};
  const pin = o.caPin !== undefined ? parsePin(o.caPin) : o.enrollToken ? splitEnrollmentToken(o.enrollToken).pin : undefined;
  if (!pin) return {};
  const ca = await fetchPinnedCa(o.collectorUrl, pin);
  return { apiCa: Buffer.from(ca.caPem), caPin: formatPin(pin) };
}
