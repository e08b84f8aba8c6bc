import { z } from 'zod';
import type { Domain } from '../oncall/expert-domains.js';

/**
 * What a case carries beyond a monitoring ticket: how it reached the service desk, who reported it, and the
 * expert domain an L3 escalation goes to. Monitoring tickets are cases too (channel 'monitoring').
 */

export const CASE_CHANNELS = ['phone', 'email', 'onsite', 'portal', 'monitoring'] as const;
export type CaseChannel = (typeof CASE_CHANNELS)[number];

/** The L3 expert groups live with the rota that serves them (oncall/expert-domains.ts). */
export { DOMAINS, type Domain } from '../oncall/expert-domains.js';

export const CallerSchema = z.object({
  name: z.string().trim().min(1).max(200),
  phone: z.string().trim().max(40).optional(),
  email: z.email().max(320).optional(),
});
export type Caller = z.infer<typeof CallerSchema>;

/**
 * The domain of a monitoring ticket from its check family: `database.*` to the database experts, `network.*`
 * and an unreachable host to the network experts (a host nobody can reach is first a network question),
 * `security.*` to security, everything else (system, script, inventory) to the system experts.
 */
export function domainOfCheck(checkId: string | null, kind: 'check' | 'host-unreachable' | 'manual'): Domain | null {
  if (kind === 'manual') return null;
  if (kind === 'host-unreachable' || checkId === 'ssh.reachable') return 'network';
  const family = (checkId ?? '').split('.')[0];
  if (family === 'database') return 'database';
  if (family === 'network' || family === 'snmp') return 'network';
  if (family === 'security') return 'security';
  return 'system';
}

/** A stored caller (JSON) read back; anything unreadable is no caller rather than a crash. */
export function parseCaller(json: string | null): Caller | null {
  if (!json) return null;
  try {
    const r = CallerSchema.safeParse(JSON.parse(json));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
