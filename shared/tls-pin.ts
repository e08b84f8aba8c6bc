import { createHash, X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';

/**
 * Pinning the collector's CA (the idea of kubeadm's --discovery-token-ca-cert-hash): an enrollment token carries
 * the SHA-256 of the CA certificate's DER; the agent fetches the CA from the collector over a TLS connection it does
 * not verify yet, keeps it only if its hash is the pin, and from then on trusts that CA alone. Shared by the agent,
 * the collector (tokens) and `patrol deploy` (which pins the CA for its own API calls and the agents it moves).
 */

/** A certificate's pin: SHA-256 over its DER bytes (32 bytes). */
export function certificatePin(pem: string): Buffer {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest();
}

/** How people read and type a pin: `sha256:` and 64 hex digits. */
export function formatPin(pin: Buffer): string {
  return `sha256:${pin.toString('hex')}`;
}

/**
 * A pin as typed: `sha256:<64 hex>`, the bare hex, or OpenSSL's colon form (`AB:CD:...`, from
 * `openssl x509 -noout -fingerprint -sha256`). Throws with the accepted forms.
 */
export function parsePin(text: string): Buffer {
  const hex = text.trim().replace(/^sha256(:|\s+fingerprint=)/i, '').replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`not a CA pin: ${JSON.stringify(text)} (expected sha256: and 64 hex digits)`);
  return Buffer.from(hex, 'hex');
}

/** The certificates of a PEM text, in order. */
export function pemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Tokens with a pin: `<secret>.<pin as 43 base64url characters>`. Secrets are base64url (no dot). */
const PINNED_TOKEN = /^(.+)\.([A-Za-z0-9_-]{43})$/;

/** An enrollment token's parts: the secret the collector knows (by hash), and the CA pin when it carries one. */
export function splitEnrollmentToken(token: string): { secret: string; pin?: Buffer } {
  const m = PINNED_TOKEN.exec(token.trim());
  if (!m) return { secret: token.trim() };
  const pin = Buffer.from(m[2]!, 'base64url');
  return pin.length === 32 ? { secret: m[1]!, pin } : { secret: token.trim() };
}

export function pinnedEnrollmentToken(secret: string, pin: Buffer | undefined): string {
  return pin ? `${secret}.${pin.toString('base64url')}` : secret;
}

/** ws(s)://host:port/prefix/agent -> https://host:port/prefix/api/enroll/ca: where the collector hands out its CA. */
export function caUrlFor(collectorUrl: string): URL {
  const u = new URL(collectorUrl);
  u.protocol = 'https:';
  u.pathname = u.pathname.replace(/\/agent\/?$/, '').replace(/\/$/, '') + '/api/enroll/ca';
  u.search = '';
  u.hash = '';
  return u;
}

export class PinMismatchError extends Error {
  override name = 'PinMismatchError';
}

/** A CA certificate whose pin was checked. */
export interface PinnedCa {
  caPem: string;
  pin: Buffer;
}

/** The CA answer is one certificate (or a short chain): far below this. */
const MAX_CA_RESPONSE_BYTES = 64 * 1024;

/**
 * Fetch the collector's CA from https://.../api/enroll/ca without verifying the server (nothing is trusted yet),
 * and return the certificate whose SHA-256 is the pin. Anything else (another collector, a machine in the middle
 * with its own CA) is refused with both fingerprints named. Nothing secret is sent on this connection.
 */
export async function fetchPinnedCa(collectorUrl: string, pin: Buffer, timeoutMs = 15_000): Promise<PinnedCa> {
  const url = caUrlFor(collectorUrl);
  const text = await new Promise<string>((resolve, reject) => {
    // rejectUnauthorized: false on purpose: the pin, not the chain, decides (the CA is what we are fetching).
    const req = httpsRequest(url, { method: 'GET', rejectUnauthorized: false, timeout: timeoutMs, headers: { accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_CA_RESPONSE_BYTES) req.destroy(new Error('answer too large for a CA certificate'));
        else chunks.push(c);
      });
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(body);
        else if (res.statusCode === 404) reject(new Error(`the collector at ${url.host} hands out no CA (it uses a certificate of its own PKI: give --ca-file)`));
        else reject(new Error(`GET ${url.pathname}: HTTP ${res.statusCode}`));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
    req.on('error', reject);
    req.end();
  }).catch((err: Error) => {
    throw new Error(`cannot fetch the collector's CA from ${url.origin}: ${err.message}`);
  });
  let caPem = '';
  try {
    const body = JSON.parse(text) as { caPem?: unknown };
    if (typeof body.caPem === 'string') caPem = body.caPem;
  } catch {
    // not JSON: no certificate below
  }
  const certs = pemCertificates(caPem);
  if (!certs.length) throw new Error(`the collector at ${url.host} answered ${url.pathname} without a CA certificate`);
  const presented: string[] = [];
  for (const cert of certs) {
    let got: Buffer;
    try {
      got = certificatePin(cert);
    } catch {
      continue;
    }
    if (got.equals(pin)) return { caPem: `${cert}\n`, pin };
    presented.push(formatPin(got));
  }
  throw new PinMismatchError(
    `the collector at ${url.host} presented a CA with pin ${presented.join(', ') || '(unreadable)'}, but ${formatPin(pin)} was expected: ` +
      'refusing to connect (another collector, or a machine in the middle); check the address, or get a new token or pin from the collector',
  );
}
