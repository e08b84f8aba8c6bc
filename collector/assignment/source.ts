import type { CheckAssignment } from '../../shared/assignment.js';
import type { Host } from '../db/hosts.js';

/**
 * Where a host's checks come from. The collector's default is DbAssignmentSource (templates per host or tag,
 * per-host overrides; see db-source.ts); tests may pass a fixed one.
 */
export interface AssignmentSource {
  forHost(host: Host): CheckAssignment[];
}
