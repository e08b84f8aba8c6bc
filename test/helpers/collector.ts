import { loadCollectorConfig, type CollectorConfigInput } from '../../collector/config.js';
import { startCollector, type Collector, type CollectorOptions } from '../../collector/server.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createEnrollmentToken, enrollAgent } from '../../collector/db/agents.js';
import { tempDir } from './temp-dir.js';

export interface TestCollector extends Collector {
  dataDir: string;
  /** ws://127.0.0.1:port/agent, or wss:// when started with tls: 'auto'. */
  wsUrl: string;
  /** Enroll a host for a customer (created if new) and return its agent key. */
  enrollHost(customerId: string, hostname: string): { agentId: string; agentKey: string; hostId: string };
  /** A fresh one-time enrollment token (carrying the CA pin when the collector serves TLS). */
  token(customerId: string): string;
  destroy(): Promise<void>;
}

/**
 * A real collector on a free loopback port with its data in a temp folder (embedded store unless told). Plain http
 * and ws unless `tls: 'auto'` is given (plain is allowed on loopback; most suites test other things than TLS).
 */
export async function startTestCollector(
  config: CollectorConfigInput = {},
  opts: Omit<CollectorOptions, 'config'> = {},
): Promise<TestCollector> {
  const dir = tempDir('collector');
  const c = await startCollector({ config: loadCollectorConfig(undefined, { port: 0, dataDir: dir.path, tls: config.tlsCertFile ? 'auto' : 'off', ...config }), plugins: [], ...opts });
  const token = (customerId: string) => {
    ensureCustomer(c.db, customerId, customerId.toUpperCase(), Date.now());
    return createEnrollmentToken(c.db, customerId, Date.now()).token;
  };
  return Object.assign(c, {
    dataDir: dir.path,
    wsUrl: `${c.tls ? 'wss' : 'ws'}://127.0.0.1:${c.port}/agent`,
    token,
    enrollHost(customerId: string, hostname: string) {
      const r = enrollAgent(c.db, token(customerId), hostname, Date.now());
      if (!r.ok) throw new Error(r.reason);
      return r;
    },
    async destroy() {
      await c.close();
      dir.remove();
    },
  });
}
