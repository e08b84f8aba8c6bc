import { openDatabase } from '../../collector/db/database.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { randomUUID } from 'node:crypto';
import { DEFAULT_TOKEN_TTL_MS, enrollAgent } from '../../collector/db/agents.js';
import { hashSecret, newSecret } from '../../collector/auth/secrets.js';
import { createUser } from '../../collector/db/users.js';
import { addShift } from '../../collector/oncall/rota-store.js';
import { createChannel } from '../../collector/notify/channels.js';
import { createSession } from '../../collector/dashboard/sessions.js';

export interface FleetAgent {
  agentId: string;
  agentKey: string;
  hostId: string;
}

export interface SeededFleet {
  agents: FleetAgent[];
  customers: string[];
  /** A dashboard session of the admin (cookie header value). */
  adminCookie: string;
}

/**
 * A service company's collector before its first start: `customers` customers sharing `agents` enrolled hosts
 * (the way `patrol-collector enroll` and the agent would have done it, written straight into patrol.db so
 * that 10,000 enrollments take seconds), an engineer on call (tier 1) for every customer, and one company-wide
 * webhook channel to the bench's receiver.
 */
export function seedFleet(patrolDbPath: string, o: { agents: number; customers: number; webhookUrl: string }): SeededFleet {
  const db = openDatabase(patrolDbPath);
  const now = Date.now();
  const customers = Array.from({ length: o.customers }, (_, i) => `cust-${String(i).padStart(3, '0')}`);
  for (const c of customers) ensureCustomer(db, c, `Customer ${c}`, now);
  const admin = createUser(db, { username: 'admin', password: 'bench-admin-password', role: 'admin', now });
  const engineer = createUser(db, { username: 'oncall', password: 'bench-oncall-password', role: 'engineer', serves: customers, now });
  const agents: FleetAgent[] = [];
  // The token rows are written here rather than by createEnrollmentToken, which reads back every token to return
  // its record: 10,000 of them took minutes (quadratic), against seconds this way.
  const insertToken = db.prepare('INSERT INTO enrollment_tokens (id, customer_id, token_hash, note, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const c of customers) addShift(db, { tier: 1, userId: engineer.id, customerId: c, startsAt: 0 }, now);
    for (let i = 0; i < o.agents; i++) {
      // No CA pin (the bench runs without TLS): the token is the secret itself.
      const token = newSecret('pe');
      insertToken.run(randomUUID(), customers[i % customers.length]!, hashSecret(token), 'bench', now, now + DEFAULT_TOKEN_TTL_MS);
      const r = enrollAgent(db, token, `host-${String(i).padStart(5, '0')}`, now);
      if (!r.ok) throw new Error(`enrollment ${i}: ${r.reason}`);
      agents.push({ agentId: r.agentId, agentKey: r.agentKey, hostId: r.hostId });
    }
  })();
  createChannel(db, { kind: 'webhook', name: 'bench receiver', config: { url: o.webhookUrl } }, now);
  const { sessionId } = createSession(db, admin.id, now);
  db.close();
  return { agents, customers, adminCookie: `patrol_session=${sessionId}` };
}
