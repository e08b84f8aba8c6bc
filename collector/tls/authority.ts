import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/**
 * The collector's own small PKI: one CA (made once, kept in the data folder) and the server certificate it signs.
 * Keys come from node:crypto; node-forge only builds and signs the X.509 structures (Node has no API for that).
 * RSA because node-forge signs nothing else; 3072 bits for the CA that lives ten years, 2048 for the server key.
 */

const DAY_MS = 24 * 3600_000;
/** The CA outlives any collector install we expect; agents pin it, so replacing it means new pins everywhere. */
export const CA_VALIDITY_DAYS = 3650;
/** 825 days: the longest that macOS/iOS accept for a TLS server certificate, should someone open the dashboard there. */
export const SERVER_VALIDITY_DAYS = 825;

export interface KeyAndCert {
  keyPem: string;
  certPem: string;
}

function newKeyPair(bits: number): { privatePem: string; publicPem: string } {
  const k = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privatePem: k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: k.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** A positive 128-bit serial (RFC 5280: at most 20 octets, non-negative). */
function newSerial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

/** notBefore an hour back: an agent whose clock runs a little behind still accepts a fresh certificate. */
function validity(cert: forge.pki.Certificate, now: number, days: number): void {
  cert.validity.notBefore = new Date(now - 3600_000);
  cert.validity.notAfter = new Date(now + days * DAY_MS);
}

export function createCa(o: { commonName: string; now: number }): KeyAndCert {
  const keys = newKeyPair(3072);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = newSerial();
  validity(cert, o.now, CA_VALIDITY_DAYS);
  const name = [
    { name: 'commonName', value: o.commonName },
    { name: 'organizationName', value: 'Patrol' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    // pathLen 0: this CA signs server certificates only, never another CA.
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privatePem), forge.md.sha256.create());
  return { keyPem: keys.privatePem, certPem: forge.pki.certificateToPem(cert) };
}

/** Subject alternative names: IP literals as IP entries, everything else as DNS names. */
function altNames(names: readonly string[]): Array<{ type: number; value?: string; ip?: string }> {
  return names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n }));
}

export function createServerCertificate(ca: KeyAndCert, o: { names: readonly string[]; now: number }): KeyAndCert {
  if (!o.names.length) throw new Error('a server certificate needs at least one name');
  const keys = newKeyPair(2048);
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = newSerial();
  validity(cert, o.now, SERVER_VALIDITY_DAYS);
  cert.setSubject([
    { name: 'commonName', value: o.names.find((n) => !isIP(n)) ?? o.names[0]! },
    { name: 'organizationName', value: 'Patrol' },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: altNames(o.names) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { keyPem: keys.privatePem, certPem: forge.pki.certificateToPem(cert) };
}

/** The names a certificate holds in its subjectAltName, as createServerCertificate wrote them. */
export function certificateNames(certPem: string): string[] {
  const san = new X509Certificate(certPem).subjectAltName ?? '';
  return san
    .split(', ')
    .filter(Boolean)
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ''))
    .map((n) => (isIP(n) === 6 ? normalizeIpv6(n) : n));
}

/** ::1 and 0:0:0:0:0:0:0:1 are one address; compare in one spelling. */
export function normalizeIpv6(addr: string): string {
  return new URL(`http://[${addr}]/`).hostname.slice(1, -1);
}
