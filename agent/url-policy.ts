import { ConfigError } from '../shared/config-file.js';
import { isLoopbackHost } from '../shared/loopback.js';

/** A collector URL the agent will not use: plain ws:// to another machine without --insecure, or not ws(s) at all. */
export class CollectorUrlRefused extends ConfigError {
  override name = 'CollectorUrlRefused';
}

/**
 * Plain ws:// carries the agent key and lets anyone on the path inject checks, so it is allowed only to this
 * machine (loopback), or anywhere when the operator said --insecure. Returns the parsed URL.
 */
export function checkCollectorUrl(url: string, o: { insecure?: boolean } = {}): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CollectorUrlRefused(`collector URL ${JSON.stringify(url)} is not a URL (expected wss://collector:8080/agent)`);
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new CollectorUrlRefused(`collector URL must start with wss:// (or ws:// on this machine), got ${url}`);
  if (u.protocol === 'ws:' && !o.insecure && !isLoopbackHost(u.hostname)) {
    throw new CollectorUrlRefused(
      `refusing plain ws:// to ${u.host}: without TLS anyone on the path reads the agent key and can send it checks to run. ` +
        'Use wss:// (the collector serves TLS by default; the enrollment token or --ca-pin pins its CA), ' +
        'or start with --insecure to send in plain text on a network you trust',
    );
  }
  return u;
}
