import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { withoutSecrets } from '../../checks/database/credentials.js';
import { CheckAssignmentSchema, type CheckAssignment } from '../../shared/assignment.js';
import { createLogger } from '../../shared/logger.js';
import type { Db } from '../db/database.js';
import { customerFilter, customerParam } from '../db/tenancy.js';
import { BUILTIN_TEMPLATES, findBuiltinTemplate, type CheckTemplate } from './builtin-templates.js';

/** Per-host parameter overrides: check name -> parameters merged over the template's. */
export type HostOverrides = Record<string, Record<string, unknown>>;

interface TemplateRow {
  id: string;
  customer_id: string | null;
  name: string;
  description: string;
  checks: string;
}

const StoredChecks = z.array(CheckAssignmentSchema);
const log = createLogger('assignment');

/**
 * Secrets stored before the API refused them (a database `password`) are dropped on every read, so no
 * assignment, config frame, API answer or page can carry them. Warned once per template or host and check
 * (the poller reads assignments every few seconds), naming where it is and never the value.
 */
const warnedSecrets = new Set<string>();

function dropSecrets(params: Record<string, unknown>, where: { template: string } | { host: string }, check: string): Record<string, unknown> {
  const { params: clean, removed } = withoutSecrets(params);
  if (!removed.length) return params;
  const key = `${'template' in where ? `template ${where.template}` : `host ${where.host}`}\n${check}`;
  if (!warnedSecrets.has(key)) {
    warnedSecrets.add(key);
    log.warn(
      { ...where, check, params: removed },
      'stored check parameters hold a secret; it is never sent to agents: store the password in the agent host\'s agent.env and use passwordEnv, then save this again',
    );
  }
  return clean;
}

function toTemplate(r: TemplateRow): CheckTemplate {
  const checks = StoredChecks.parse(JSON.parse(r.checks)).map((c) => ({ ...c, params: dropSecrets(c.params, { template: r.id }, c.name) }));
  return { id: r.id, customerId: r.customer_id, name: r.name, description: r.description, checks, builtin: false };
}

/** Built-in templates, then the user templates the caller may see (shared ones and their customers'). */
export function listTemplates(db: Db, customerIds?: readonly string[]): CheckTemplate[] {
  const rows = db
    .prepare(`SELECT * FROM check_templates WHERE customer_id IS NULL OR ${customerFilter('customer_id')} ORDER BY name`)
    .all(customerParam(customerIds)) as TemplateRow[];
  return [...BUILTIN_TEMPLATES, ...rows.map(toTemplate)];
}

/** A template by id, if the caller may see it (built-in and shared templates are visible to all). */
export function getTemplate(db: Db, id: string, customerIds?: readonly string[]): CheckTemplate | undefined {
  const builtin = findBuiltinTemplate(id);
  if (builtin) return builtin;
  const r = db.prepare('SELECT * FROM check_templates WHERE id = ?').get(id) as TemplateRow | undefined;
  if (!r) return undefined;
  if (customerIds && r.customer_id !== null && !customerIds.includes(r.customer_id)) return undefined;
  return toTemplate(r);
}

export function createTemplate(
  db: Db,
  t: { customerId: string | null; name: string; description: string; checks: CheckAssignment[]; now: number },
): CheckTemplate {
  const id = randomUUID();
  db.prepare('INSERT INTO check_templates (id, customer_id, name, description, checks, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    id,
    t.customerId,
    t.name,
    t.description,
    JSON.stringify(t.checks),
    t.now,
    t.now,
  );
  return getTemplate(db, id)!;
}

export function updateTemplate(db: Db, id: string, t: { name: string; description: string; checks: CheckAssignment[]; now: number }): void {
  db.prepare('UPDATE check_templates SET name = ?, description = ?, checks = ?, updated_at = ? WHERE id = ?').run(
    t.name,
    t.description,
    JSON.stringify(t.checks),
    t.now,
    id,
  );
}

/** Remove a user template and every assignment of it. */
export function deleteTemplate(db: Db, id: string): void {
  db.transaction(() => {
    db.prepare('DELETE FROM host_templates WHERE template_id = ?').run(id);
    db.prepare('DELETE FROM tag_templates WHERE template_id = ?').run(id);
    db.prepare('DELETE FROM check_templates WHERE id = ?').run(id);
  })();
}

export function templateNameTaken(db: Db, customerId: string | null, name: string, exceptId?: string): boolean {
  if (findBuiltinTemplate(name)) return true;
  const r = db
    .prepare("SELECT id FROM check_templates WHERE COALESCE(customer_id, '') = COALESCE(?, '') AND name = ? AND id != ?")
    .get(customerId, name, exceptId ?? '');
  return r !== undefined;
}

/** Templates given to one host directly, in the order given. */
export function hostTemplateIds(db: Db, hostId: string): string[] {
  return (db.prepare('SELECT template_id FROM host_templates WHERE host_id = ? ORDER BY position').all(hostId) as Array<{ template_id: string }>).map(
    (r) => r.template_id,
  );
}

export function setHostTemplates(db: Db, hostId: string, templateIds: readonly string[]): void {
  db.transaction(() => {
    db.prepare('DELETE FROM host_templates WHERE host_id = ?').run(hostId);
    const ins = db.prepare('INSERT INTO host_templates (host_id, template_id, position) VALUES (?, ?, ?)');
    templateIds.forEach((id, i) => ins.run(hostId, id, i));
  })();
}

export interface TagAssignment {
  customerId: string;
  tag: string;
  templateId: string;
}

/** Tag assignments of the customers the caller may see, optionally of one template. */
export function listTagAssignments(db: Db, opts: { customerIds?: readonly string[]; templateId?: string } = {}): TagAssignment[] {
  return db
    .prepare(
      `SELECT customer_id AS customerId, tag, template_id AS templateId FROM tag_templates
       WHERE ${customerFilter('customer_id')} AND (@templateId IS NULL OR template_id = @templateId) ORDER BY customer_id, tag, created_at`,
    )
    .all({ ...customerParam(opts.customerIds), templateId: opts.templateId ?? null }) as TagAssignment[];
}

/** The template ids that apply to a customer's hosts with any of these tags, in tag then creation order. */
export function templateIdsForTags(db: Db, customerId: string, tags: readonly string[]): Array<{ templateId: string; tag: string }> {
  if (!tags.length) return [];
  return db
    .prepare(
      `SELECT template_id AS templateId, tag FROM tag_templates
       WHERE customer_id = ? AND tag IN (SELECT value FROM json_each(?)) ORDER BY tag, created_at`,
    )
    .all(customerId, JSON.stringify(tags)) as Array<{ templateId: string; tag: string }>;
}

/** Replace the tags of one customer that a template applies to. */
export function setTemplateTags(db: Db, templateId: string, customerId: string, tags: readonly string[], now: number): void {
  db.transaction(() => {
    db.prepare('DELETE FROM tag_templates WHERE template_id = ? AND customer_id = ?').run(templateId, customerId);
    const ins = db.prepare('INSERT INTO tag_templates (customer_id, tag, template_id, created_at) VALUES (?, ?, ?, ?)');
    for (const tag of new Set(tags)) ins.run(customerId, tag, templateId, now);
  })();
}

export function hostOverrides(db: Db, hostId: string): HostOverrides {
  const rows = db.prepare('SELECT check_name, params FROM host_check_overrides WHERE host_id = ? ORDER BY check_name').all(hostId) as Array<{
    check_name: string;
    params: string;
  }>;
  return Object.fromEntries(rows.map((r) => [r.check_name, dropSecrets(JSON.parse(r.params) as Record<string, unknown>, { host: hostId }, r.check_name)]));
}

export function setHostOverrides(db: Db, hostId: string, overrides: HostOverrides): void {
  db.transaction(() => {
    db.prepare('DELETE FROM host_check_overrides WHERE host_id = ?').run(hostId);
    const ins = db.prepare('INSERT INTO host_check_overrides (host_id, check_name, params) VALUES (?, ?, ?)');
    for (const [name, params] of Object.entries(overrides)) ins.run(hostId, name, JSON.stringify(params));
  })();
}
