import type { CheckAssignment } from '../../shared/assignment.js';
import { createLogger } from '../../shared/logger.js';
import type { Db } from '../db/database.js';
import type { Host } from '../db/hosts.js';
import { defaultTemplateFor } from './builtin-templates.js';
import type { AssignmentSource } from './source.js';
import { getTemplate, hostOverrides, hostTemplateIds, templateIdsForTags, type HostOverrides } from './template-store.js';

const log = createLogger('assignment');

/** How a template came to apply to a host. */
export type TemplateVia = { kind: 'host' } | { kind: 'tag'; tag: string } | { kind: 'default' };

export interface ResolvedAssignment {
  templates: Array<{ id: string; name: string; via: TemplateVia }>;
  overrides: HostOverrides;
  /** What the host runs: the templates' checks (first template wins a name) with overrides merged in. */
  checks: CheckAssignment[];
}

/**
 * A host's checks, the way Zabbix users expect linking a template to work (it adds checks, it takes none away):
 * its kind's default template (`linux-base`, `network-device` for SNMP devices), then the templates of its tags
 * (within its customer). A host whose own template list is set runs exactly that list instead of the default
 * (it may or may not name the default), plus its tags' templates; an empty list means "not set". First
 * template wins a check name; per-host overrides are merged over each check's parameters. `what` tries a
 * change before it is stored (another own list, other overrides).
 */
export function resolveAssignment(db: Db, host: Host, what: { hostTemplateIds?: readonly string[]; overrides?: HostOverrides } = {}): ResolvedAssignment {
  const own = what.hostTemplateIds ?? hostTemplateIds(db, host.id);
  const wanted: Array<{ id: string; via: TemplateVia }> = [
    ...(own.length
      ? own.map((id) => ({ id, via: { kind: 'host' } as TemplateVia }))
      : [{ id: defaultTemplateFor(host.kind), via: { kind: 'default' } as TemplateVia }]),
    ...templateIdsForTags(db, host.customerId, host.tags).map((t) => ({ id: t.templateId, via: { kind: 'tag', tag: t.tag } as TemplateVia })),
  ];
  const templates: ResolvedAssignment['templates'] = [];
  const byName = new Map<string, CheckAssignment>();
  for (const w of wanted) {
    if (templates.some((t) => t.id === w.id)) continue;
    // A host only ever gets its own customer's templates (or shared ones), whatever the tables say.
    const t = getTemplate(db, w.id, [host.customerId]);
    if (!t) {
      log.warn({ host: host.id, template: w.id }, 'assigned template not found; skipped');
      continue;
    }
    templates.push({ id: t.id, name: t.name, via: w.via });
    for (const c of t.checks) if (!byName.has(c.name)) byName.set(c.name, c);
  }
  const overrides = what.overrides ?? hostOverrides(db, host.id);
  const checks = [...byName.values()].map((c) => (overrides[c.name] ? { ...c, params: { ...c.params, ...overrides[c.name] } } : { ...c }));
  return { templates, overrides, checks };
}

/** The collector's assignment source: templates and overrides from the relational store, read on each call. */
export class DbAssignmentSource implements AssignmentSource {
  constructor(private readonly db: Db) {}

  forHost(host: Host): CheckAssignment[] {
    return resolveAssignment(this.db, host).checks;
  }
}
