import { openDatabase } from '../../collector/db/database.js';
import { createEnrollmentToken, enrollAgent } from '../../collector/db/agents.js';
import { createTemplate, setHostTemplates } from '../../collector/assignment/template-store.js';
import { StateDir } from '../../agent/state-dir.js';
import { seedFleet, type SeededFleet } from '../fleet/seed.js';

export interface RealAgentSeed {
  name: string;
  hostId: string;
  customerId: string;
  stateDir: string;
  /** The TCP port its `svc` check connects to (the run's own listener: closing it is the injected fault); none: no `svc`. */
  svcPort?: number;
}

/**
 * The chaos run's collector before its first start: the synthetic fleet of bench/fleet (enrolled hosts running
 * linux-base), plus real agents enrolled in the first customer with credentials written into their state folders
 * (as `patrol-agent --enroll` would have left them) and a template of fast checks: `svc` (a TCP connect to a port
 * the run controls) and `uptime`, every second.
 */
export function seedChaos(
  patrolDbPath: string,
  o: { syntheticAgents: number; webhookUrl: string; realAgents: Array<{ name: string; stateDir: string; svcPort?: number }>; collectorWsUrl: string; checkIntervalSec?: number },
): SeededFleet & { real: RealAgentSeed[] } {
  const fleet = seedFleet(patrolDbPath, { agents: o.syntheticAgents, customers: Math.max(2, Math.round(o.syntheticAgents / 100)), webhookUrl: o.webhookUrl });
  const db = openDatabase(patrolDbPath);
  const now = Date.now();
  const customerId = fleet.customers[0]!;
  const real = o.realAgents.map((a) => {
    const template = createTemplate(db, {
      customerId,
      name: `chaos ${a.name}`,
      description: 'chaos run: fast checks',
      checks: [
        ...(a.svcPort ? [{ name: 'svc', checkId: 'network.tcp', params: { host: '127.0.0.1', port: a.svcPort, timeoutMs: 1000 }, intervalSec: o.checkIntervalSec ?? 1, timeoutSec: 2 }] : []),
        { name: 'uptime', checkId: 'system.uptime', params: {}, intervalSec: o.checkIntervalSec ?? 1, timeoutSec: 2 },
      ],
      now,
    });
    const { token } = createEnrollmentToken(db, customerId, now);
    const r = enrollAgent(db, token, a.name, now);
    if (!r.ok) throw new Error(`enrollment of ${a.name}: ${r.reason}`);
    setHostTemplates(db, r.hostId, [template.id]);
    new StateDir(a.stateDir).writeCredentials({ agentId: r.agentId, agentKey: r.agentKey, hostId: r.hostId, customerId, collectorUrl: o.collectorWsUrl });
    return { name: a.name, hostId: r.hostId, customerId, stateDir: a.stateDir, svcPort: a.svcPort };
  });
  db.close();
  return { ...fleet, real };
}
