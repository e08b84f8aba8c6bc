import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { NodeSSH } from 'node-ssh';
import { z } from 'zod';
import { writeFileAtomic } from './write-atomic.js';

/**
 * SSH connections with the host key pinned on first contact (trust on first use, like OpenSSH's
 * StrictHostKeyChecking=accept-new) and verified on every later one. Used by the collector's agentless
 * checks and by `patrol deploy`; keys only, never passwords.
 */
const KnownHostsSchema = z.record(z.string(), z.string());

export class HostKeyMismatchError extends Error {
  override name = 'HostKeyMismatchError';
}

/** A JSON file of "host:port" -> "SHA256:<base64 fingerprint>". */
export class KnownHosts {
  constructor(private readonly file: string) {}

  private read(): Record<string, string> {
    try {
      return KnownHostsSchema.parse(JSON.parse(readFileSync(this.file, 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`known hosts file ${this.file} is damaged: ${(err as Error).message}`);
    }
  }

  get(hostPort: string): string | undefined {
    return this.read()[hostPort];
  }

  pin(hostPort: string, fingerprint: string): void {
    const all = this.read();
    all[hostPort] = fingerprint;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, JSON.stringify(all, null, 2), 0o600);
  }

  forget(hostPort: string): void {
    const all = this.read();
    delete all[hostPort];
    writeFileSync(this.file, JSON.stringify(all, null, 2), { mode: 0o600 });
  }
}

export function fingerprintOf(hostKey: Buffer): string {
  return `SHA256:${createHash('sha256').update(hostKey).digest('base64').replace(/=+$/, '')}`;
}

export interface PinnedSshTarget {
  host: string;
  port?: number;
  username: string;
  /** Private key text (PEM/OpenSSH) or a path to it. */
  privateKey?: string;
  privateKeyPath?: string;
  /** For an encrypted private key. */
  passphrase?: string;
  readyTimeoutMs?: number;
}

/** Connect, pinning the host key on first contact; a changed key fails with HostKeyMismatchError. */
export async function connectPinned(target: PinnedSshTarget, knownHosts: KnownHosts): Promise<NodeSSH> {
  const hostPort = `${target.host}:${target.port ?? 22}`;
  const pinned = knownHosts.get(hostPort);
  let seen: string | undefined;
  const ssh = new NodeSSH();
  try {
    await ssh.connect({
      host: target.host,
      port: target.port ?? 22,
      username: target.username,
      privateKey: target.privateKey,
      privateKeyPath: target.privateKeyPath,
      passphrase: target.passphrase,
      readyTimeout: target.readyTimeoutMs ?? 15_000,
      tryKeyboard: false,
      hostVerifier: (key: Buffer) => {
        seen = fingerprintOf(key);
        return pinned === undefined || pinned === seen;
      },
    });
  } catch (err) {
    if (pinned !== undefined && seen !== undefined && seen !== pinned) {
      throw new HostKeyMismatchError(
        `host key of ${hostPort} changed (pinned ${pinned}, offered ${seen}): possible man-in-the-middle; if the host was reinstalled, remove its entry from the known hosts file`,
      );
    }
    throw new Error(`ssh to ${target.username}@${hostPort} failed: ${(err as Error).message}`);
  }
  if (pinned === undefined && seen) knownHosts.pin(hostPort, seen);
  return ssh;
}
