import type { CheckAssignment } from '../../shared/assignment.js';

/**
 * The checks every agent and SSH host gets (the default template; tag templates add to it, only a host's own
 * template list can leave it out): the figures an inspection engineer looks at first. 60 s is the usual
 * interval of Zabbix and Checkmk agents.
 */
export const LINUX_BASE: readonly CheckAssignment[] = [
  { name: 'system.cpu', checkId: 'system.cpu', params: {}, intervalSec: 60, timeoutSec: 20 },
  { name: 'system.memory', checkId: 'system.memory', params: {}, intervalSec: 60, timeoutSec: 20 },
  { name: 'system.disk', checkId: 'system.disk', params: {}, intervalSec: 60, timeoutSec: 30 },
  { name: 'system.network', checkId: 'system.network', params: {}, intervalSec: 60, timeoutSec: 20 },
  { name: 'system.uptime', checkId: 'system.uptime', params: {}, intervalSec: 300, timeoutSec: 20 },
  // At start and daily: the fact set whose changes the inspection report lists.
  { name: 'system.inventory', checkId: 'system.inventory', params: {}, intervalSec: 86400, timeoutSec: 60 },
];
