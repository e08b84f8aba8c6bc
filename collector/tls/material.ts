import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createLogger } from '../../shared/logger.js';
import { certificatePin, pemCertificates } from '../../shared/tls-pin.js';
import { certificateNames, createCa, createServerCertificate, normalizeIpv6, type KeyAndCert } from './authority.js';
import { writeFileAtomic } from '../../shared/write-atomic.js';

const log = createLogger('tls');

/** What the https server serves, and the CA agents pin (when there is one). */
export interface TlsMaterial {
  certPem: string;
  keyPem: string;
  /** The CA whose pin enrollment tokens carry; undefined for a certificate of the operator's PKI without PATROL_TLS_CA. */
  caPem?: string;
  pin?: Buffer;
  /** `generated`: the collector's own CA in dataDir/tls; `files`: PATROL_TLS_CERT / PATROL_TLS_KEY. */
  source: 'generated' | 'files';
  /** The server certificate's names (generated only). */
  names: string[];
  /** When the server certificate expires (ms). */
  notAfter: number;
}

/** The collector settings TLS depends on (collector/config.ts; named here so this folder needs nothing above it). */
export interface TlsConfig {
  tls: 'auto' | 'off';
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsCaFile?: string;
  tlsSan: string[];
  host: string;
  dataDir: string;
}

/** Where the collector keeps its own CA and server certificate. */
export function tlsDir(dataDir: string): string {
  return join(dataDir, 'tls');
}

/** Re-issue the server certificate this long before it expires (checked at start and twice a day). */
export const RENEW_BEFORE_MS = 30 * 24 * 3600_000;

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

function canonical(name: string): string {
  const n = name.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return isIP(n) === 6 ? normalizeIpv6(n) : n;
}

/**
 * The names agents may use for this collector: the listen address (unless it is a wildcard), loopback in all
 * spellings, this machine's host name, and PATROL_TLS_SAN for public names and addresses.
 */
export function serverNames(config: Pick<TlsConfig, 'host' | 'tlsSan'>, machineName = hostname()): string[] {
  const names = [config.host, '127.0.0.1', '::1', 'localhost', machineName, ...config.tlsSan].map(canonical).filter((n) => !WILDCARD_HOSTS.has(n));
  return [...new Set(names)];
}

/** Mode 0600 from the first byte. */
const writePrivate = (path: string, text: string) => writeFileAtomic(path, text, 0o600);

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

const sameNames = (a: readonly string[], b: readonly string[]) => [...a].sort().join('\n') === [...b].sort().join('\n');

/** The collector's own CA from dataDir/tls, made on first use. */
function ensureCa(dir: string, now: number): KeyAndCert {
  const certPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'ca.key');
  const certPem = readIfExists(certPath);
  const keyPem = readIfExists(keyPath);
  if (certPem && keyPem) {
    // The key may have been copied back from a backup with a looser mode.
    chmodSync(keyPath, 0o600);
    return { certPem, keyPem };
  }
  if (certPem || keyPem) {
    throw new Error(
      `${certPem ? keyPath : certPath} is missing but ${certPem ? certPath : keyPath} is there: restore it from the backup, ` +
        `or remove ${dir} to make a new CA (then every agent needs the new pin: patrol deploy --upgrade --ca-pin)`,
    );
  }
  const ca = createCa({ commonName: `Patrol collector CA (${hostname()})`, now });
  writePrivate(keyPath, ca.keyPem);
  writePrivate(certPath, ca.certPem);
  log.info({ dir }, 'made the collector CA (first start)');
  return ca;
}

/** Why the server certificate must be made again, or undefined when it can stay. */
function reissueReason(current: KeyAndCert | undefined, ca: KeyAndCert, names: readonly string[], now: number): string | undefined {
  if (!current) return 'none yet';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(current.certPem);
  } catch {
    return 'unreadable';
  }
  if (!cert.verify(new X509Certificate(ca.certPem).publicKey)) return 'not signed by the current CA';
  if (!sameNames(certificateNames(current.certPem), names)) return `names changed to ${names.join(', ')}`;
  if (Date.parse(cert.validTo) - now < RENEW_BEFORE_MS) return 'expires within 30 days';
  return undefined;
}

/** The collector's own CA and a server certificate for today's names (re-issued when they changed or it expires soon). */
function generatedMaterial(config: TlsConfig, now: number): TlsMaterial {
  const dir = tlsDir(config.dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const ca = ensureCa(dir, now);
  const names = serverNames(config);
  const certPath = join(dir, 'server.pem');
  const keyPath = join(dir, 'server.key');
  const certPem = readIfExists(certPath);
  const keyPem = readIfExists(keyPath);
  let server: KeyAndCert | undefined = certPem && keyPem ? { certPem, keyPem } : undefined;
  const why = reissueReason(server, ca, names, now);
  if (why) {
    server = createServerCertificate(ca, { names, now });
    writePrivate(keyPath, server.keyPem);
    writePrivate(certPath, server.certPem);
    log.info({ names, reason: why }, 'issued the server certificate');
  } else {
    chmodSync(keyPath, 0o600);
  }
  return {
    certPem: server!.certPem,
    keyPem: server!.keyPem,
    caPem: ca.certPem,
    pin: certificatePin(ca.certPem),
    source: 'generated',
    names,
    notAfter: Date.parse(new X509Certificate(server!.certPem).validTo),
  };
}

/**
 * The CA to pin for an operator's own certificate: PATROL_TLS_CA when given, else the last certificate of
 * PATROL_TLS_CERT when it is self-signed (a self-signed certificate, or a chain file that ends in its root).
 * A certificate of a public CA has nothing to pin: agents verify it against the system's CAs.
 */
function operatorCa(config: TlsConfig, certPem: string): string | undefined {
  if (config.tlsCaFile) {
    const first = pemCertificates(readFileSync(config.tlsCaFile, 'utf8'))[0];
    if (!first) throw new Error(`PATROL_TLS_CA ${config.tlsCaFile} holds no PEM certificate`);
    return `${first}\n`;
  }
  const last = pemCertificates(certPem).at(-1);
  if (!last) throw new Error(`PATROL_TLS_CERT ${config.tlsCertFile} holds no PEM certificate`);
  const cert = new X509Certificate(last);
  return cert.checkIssued(cert) && cert.verify(cert.publicKey) ? `${last}\n` : undefined;
}

/**
 * The TLS material for this start: undefined with PATROL_TLS=off (plain, loopback only), the operator's files
 * when PATROL_TLS_CERT/KEY are given, else the collector's own CA and certificate (made on first start).
 */
export function prepareTls(config: TlsConfig, now: number): TlsMaterial | undefined {
  if (config.tls === 'off') return undefined;
  if (config.tlsCertFile && config.tlsKeyFile) {
    const certPem = readFileSync(config.tlsCertFile, 'utf8');
    const keyPem = readFileSync(config.tlsKeyFile, 'utf8');
    const caPem = operatorCa(config, certPem);
    return {
      certPem,
      keyPem,
      caPem,
      pin: caPem ? certificatePin(caPem) : undefined,
      source: 'files',
      names: [],
      notAfter: Date.parse(new X509Certificate(pemCertificates(certPem)[0]!).validTo),
    };
  }
  return generatedMaterial(config, now);
}
