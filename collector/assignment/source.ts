import type { CheckAssignment } from '../../shared/assignment.js';
import type { Host } from '../db/hosts.js';
import { LINUX_BASE } from './linux-base.js';

/** Where a host's checks come from; templates and per-host overrides plug in here. */
export interface AssignmentSource {
  forHost(host: Host): CheckAssignment[];
}

export const defaultAssignments: AssignmentSource = {
  forHost: (host) => (host.kind === 'agent' ? [...LINUX_BASE] : []),
};
