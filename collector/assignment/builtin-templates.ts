import type { CheckAssignment } from '../../shared/assignment.js';
import { LINUX_BASE } from './linux-base.js';

/** A named set of check assignments that can be given to hosts directly or by tag. */
export interface CheckTemplate {
  id: string;
  /** null for built-in and shared templates. */
  customerId: string | null;
  name: string;
  description: string;
  checks: CheckAssignment[];
  builtin: boolean;
}

const builtin = (id: string, description: string, checks: readonly CheckAssignment[]): CheckTemplate => ({
  id,
  customerId: null,
  name: id,
  description,
  checks: checks.map((c) => ({ ...c, params: { ...c.params } })),
  builtin: true,
});

/**
 * Templates every installation has. Database templates connect to the host itself by default (an agent on the
 * database server; the remote poller puts the host's address in); credentials come from `passwordEnv` in a
 * per-host override, never from the template. 60 s is the usual interval of Zabbix and Checkmk agents.
 */
export const BUILTIN_TEMPLATES: readonly CheckTemplate[] = [
  builtin('linux-base', 'CPU, memory, disk, network and uptime of a Linux host', LINUX_BASE),
  builtin('postgres', 'PostgreSQL server health', [{ name: 'db.postgres', checkId: 'db.postgres', params: {}, intervalSec: 60, timeoutSec: 30 }]),
  builtin('mysql', 'MySQL / MariaDB server health', [{ name: 'db.mysql', checkId: 'db.mysql', params: {}, intervalSec: 60, timeoutSec: 30 }]),
  builtin('redis', 'Redis server health', [{ name: 'db.redis', checkId: 'db.redis', params: {}, intervalSec: 60, timeoutSec: 20 }]),
  builtin('network-device', 'Switch, router, firewall or UPS over SNMP v2c', [
    { name: 'network.snmp', checkId: 'network.snmp', params: {}, intervalSec: 60, timeoutSec: 30 },
  ]),
];

export function findBuiltinTemplate(id: string): CheckTemplate | undefined {
  return BUILTIN_TEMPLATES.find((t) => t.id === id);
}

/**
 * The template every host of a kind runs besides its tags' templates (what its kind of host can run), unless
 * the host's own template list is set: that list is exact and replaces it.
 */
export function defaultTemplateFor(kind: 'agent' | 'ssh' | 'snmp'): string {
  return kind === 'snmp' ? 'network-device' : 'linux-base';
}
