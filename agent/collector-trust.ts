import { readFileSync } from 'node:fs';
import { createLogger } from '../shared/logger.js';
import { fetchPinnedCa, formatPin, parsePin } from '../shared/tls-pin.js';
import { ConfigError } from '../shared/config-file.js';
import type { StateDir } from './state-dir.js';
import { checkCollectorUrl } from './url-policy.js';
import { isLoopbackHost } from '../shared/loopback.js';

const log = createLogger('agent.trust');

export interface CollectorTrustOptions {
  collectorUrl: string;
  state: StateDir;
  /** PEM of a CA to trust instead of pinning (a collector with a certificate of the operator's PKI). */
  caFile?: string;
  /** A pin given by the operator (agent.json caPin, --ca-pin; `patrol deploy --upgrade` writes it): wins over a stored one. */
  caPin?: string;
  /** Allow plain ws:// to another machine. */
  insecure?: boolean;
}

/**
 * Which CA the agent trusts for its collector, in this order: --ca-file; the pin it was told (--ca-pin); the pin it
 * stored in its state folder (collector-ca.json); the pin of its enrollment token (first start). A pin is turned
 * into a CA by fetching the collector's CA and keeping it only when its SHA-256 matches, then stored, so later
 * starts trust it without asking. With none of them, wss:// is verified against the system's CAs.
 */
export class CollectorTrust {
  private readonly configuredPin?: Buffer;
  private known?: { ca: Buffer | undefined };
  readonly encrypted: boolean;

  constructor(private readonly o: CollectorTrustOptions) {
    const url = checkCollectorUrl(o.collectorUrl, { insecure: o.insecure });
    this.encrypted = url.protocol === 'wss:';
    if (!this.encrypted && !isLoopbackHost(url.hostname)) {
      log.warn({ collector: o.collectorUrl }, '--insecure: talking to the collector in plain text; anyone on the path reads the agent key');
    }
    try {
      this.configuredPin = o.caPin ? parsePin(o.caPin) : undefined;
    } catch (err) {
      throw new ConfigError(`caPin: ${(err as Error).message}`);
    }
  }

  /**
   * The CA to hand to TLS (undefined: plain ws, or the system's CAs). `tokenPin` is the pin of the enrollment token,
   * used only when nothing else says which CA. Throws when a pin cannot be turned into a CA (the collector is
   * unreachable, or presents another CA: PinMismatchError); nothing is then sent to it.
   */
  async ca(tokenPin?: Buffer): Promise<Buffer | undefined> {
    if (this.known) return this.known.ca;
    const ca = await this.resolve(tokenPin);
    this.known = { ca };
    return ca;
  }

  private async resolve(tokenPin: Buffer | undefined): Promise<Buffer | undefined> {
    if (!this.encrypted) {
      if (tokenPin || this.configuredPin) log.warn('a CA pin was given, but the collector URL is plain ws://: nothing is verified');
      return undefined;
    }
    if (this.o.caFile) return readFileSync(this.o.caFile);
    const stored = this.o.state.readPinnedCa();
    const wanted = this.configuredPin ?? tokenPin ?? stored?.pin;
    if (!wanted) return undefined;
    if (stored && stored.pin.equals(wanted)) return Buffer.from(stored.caPem);
    const fetched = await fetchPinnedCa(this.o.collectorUrl, wanted);
    this.o.state.writePinnedCa(fetched);
    log.info({ pin: formatPin(wanted), replaced: stored ? formatPin(stored.pin) : undefined }, 'pinned the collector CA');
    return Buffer.from(fetched.caPem);
  }
}
