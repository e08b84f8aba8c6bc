import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { CheckAssignmentSchema, type CheckAssignment } from '../../shared/assignment.js';
import type { AppEnv } from '../http/context.js';
import { parseJson } from '../http/params.js';
import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { getHost, listHosts, type Host } from '../db/hosts.js';
import { resolveAssignment } from './db-source.js';
import {
  createTemplate,
  deleteTemplate,
  getTemplate,
  hostOverrides,
  listTagAssignments,
  listTemplates,
  setHostOverrides,
  setHostTemplates,
  setTemplateTags,
  templateNameTaken,
  updateTemplate,
  type HostOverrides,
} from './template-store.js';
import { checksOrderProblem, hostAssignmentProblem, paramsProblem, templateChangeProblem, templateOverridesOrderProblem, templateTagsProblem, type AssignProblem } from './validate.js';
import { checkChanges, savedText, type SaveReach } from './save-summary.js';
import type { CheckTemplate } from './builtin-templates.js';
import { customerTemplateView, engineerOverrideProblem, maySeeParams, paramsForRole } from './param-visibility.js';

const Checks = z
  .array(CheckAssignmentSchema)
  .min(1)
  .max(200)
  .refine((cs) => new Set(cs.map((c) => c.name)).size === cs.length, 'check names must be unique within a template');

const TemplateBodySchema = z.object({
  /** Omitted or null: shared by all customers (admins only). */
  customerId: z.string().min(1).nullable().default(null),
  name: z.string().min(1).max(100),
  description: z.string().max(1000).default(''),
  checks: Checks,
});
const TemplateUpdateSchema = TemplateBodySchema.omit({ customerId: true });
const TemplateTagsSchema = z.object({ customerId: z.string().min(1), tags: z.array(z.string().min(1).max(64)).max(50) });

const Overrides = z.record(z.string().min(1).max(200), z.record(z.string(), z.unknown()));
const HostAssignmentSchema = z.object({ templates: z.array(z.string().min(1)).max(50).optional(), overrides: Overrides.optional() }).strict();

export interface AssignmentRouteDeps {
  db: Db;
  now(): number;
  /** Send the host's new checks to its agent, if connected (AgentHub.pushConfig). */
  pushConfig(hostId: string): boolean;
  /** Hosts with a live agent connection, to push a changed template to. */
  connectedHostIds(): string[];
}

const canManage = (role: string) => role === 'admin' || role === 'engineer';

/**
 * Templates say what runs where: commands, their arguments and environment, addresses to connect to. Only
 * admins write them (the dashboard's template pages are admin-only too); engineers assign what admins made,
 * to the hosts of the customers they serve.
 */
const TEMPLATE_WRITE_REFUSED = {
  error: 'only admins create, change or delete check templates (they hold commands, addresses and credentials); engineers assign existing templates to hosts and tags',
  errorZh: '只有管理员可以创建、修改或删除检查模板（模板含命令、地址和凭据）；工程师把已有模板分配给主机和标签',
};

/** A refusal as the API answers it: both languages, and the message key with its values where there is one. */
const refusal = (p: AssignProblem) => ({ error: p.en, errorZh: p.zh, ...(p.key ? { key: p.key, values: p.values } : {}) });

function checksProblem(checks: readonly CheckAssignment[]): string | undefined {
  for (const c of checks) {
    const p = paramsProblem(c.checkId, c.params);
    if (p) return `check '${c.name}': ${p}`;
  }
  return undefined;
}

/**
 * A template with the tags (of customers the caller sees) it applies to. A customer user sees its checks'
 * names and thresholds, never parameters that can hold secrets (see param-visibility.ts).
 */
function templateView(t: CheckTemplate, db: Db, customerIds: string[] | undefined, role: string) {
  return { ...(maySeeParams(role) ? t : customerTemplateView(t)), tags: listTagAssignments(db, { customerIds, templateId: t.id }) };
}

/** Push to every connected agent whose checks come (or came) from a template. */
type AgentPush = Pick<AssignmentRouteDeps, 'db' | 'pushConfig' | 'connectedHostIds'>;

function pushTemplateUsers(deps: AgentPush, templateId: string, alsoHostIds: readonly string[] = []): number {
  let pushed = 0;
  for (const hostId of deps.connectedHostIds()) {
    const host = getHost(deps.db, hostId);
    if (!host) continue;
    if (alsoHostIds.includes(hostId) || resolveAssignment(deps.db, host).templates.some((t) => t.id === templateId)) {
      if (deps.pushConfig(hostId)) pushed++;
    }
  }
  return pushed;
}

/** Connected hosts that use a template now: read before a change, so a removal still reaches them. */
function templateUsers(deps: AgentPush, templateId: string): string[] {
  return deps.connectedHostIds().filter((id) => {
    const host = getHost(deps.db, id);
    return host !== undefined && resolveAssignment(deps.db, host).templates.some((t) => t.id === templateId);
  });
}

/**
 * Delete a user template and send the new checks to every connected agent that ran it (read before the delete,
 * so the removal reaches them). The API and the dashboard's confirmed delete both come here.
 */
export function removeTemplateAndPush(deps: AgentPush, templateId: string): number {
  const users = templateUsers(deps, templateId);
  deleteTemplate(deps.db, templateId);
  return pushTemplateUsers(deps, templateId, users);
}

/**
 * Where a changed template takes effect: the running agents it was pushed to, agent hosts that run it but are not
 * connected, and agentless hosts (the collector reads their checks at each poll).
 */
function templateReach(deps: AgentPush, t: CheckTemplate, pushed: number): SaveReach {
  const users = listHosts(deps.db, t.customerId ? [t.customerId] : undefined).filter((h) => resolveAssignment(deps.db, h).templates.some((r) => r.id === t.id));
  const agents = users.filter((h) => h.kind === 'agent').length;
  return { pushed, offline: Math.max(0, agents - pushed), agentless: users.length - agents };
}

/** /api/templates: built-in and user check templates, and the host tags each applies to. */
export function templateRoutes(deps: AssignmentRouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { db, now } = deps;

  /** A user template the caller may change: their customer's, or a shared one for admins. */
  const editable = (c: Context<AppEnv>): CheckTemplate | Response => {
    const t = getTemplate(db, c.req.param('id') ?? '', c.get('customerIds'));
    if (!t) return c.json({ error: 'template not found' }, 404);
    if (t.builtin) return c.json({ error: 'built-in templates cannot be changed; create your own from its checks' }, 400);
    if (c.get('user').role !== 'admin') return c.json(TEMPLATE_WRITE_REFUSED, 403);
    return t;
  };

  app.get('/', (c) => {
    const ids = c.get('customerIds');
    return c.json({ templates: listTemplates(db, ids).map((t) => templateView(t, db, ids, c.get('user').role)) });
  });

  app.get('/:id', (c) => {
    const t = getTemplate(db, c.req.param('id'), c.get('customerIds'));
    if (!t) return c.json({ error: 'template not found' }, 404);
    return c.json({ template: templateView(t, db, c.get('customerIds'), c.get('user').role) });
  });

  app.post('/', async (c) => {
    if (c.get('user').role !== 'admin') return c.json(TEMPLATE_WRITE_REFUSED, 403);
    const body = await parseJson(c, TemplateBodySchema);
    if (!body.ok) return body.res;
    const b = body.data;
    const ids = c.get('customerIds');
    if (b.customerId !== null && (!getCustomer(db, b.customerId) || (ids && !ids.includes(b.customerId)))) return c.json({ error: 'customer not found' }, 404);
    const problem = checksProblem(b.checks);
    if (problem) return c.json({ error: problem }, 400);
    const order = checksOrderProblem(b.checks);
    if (order) return c.json(refusal(order), 400);
    if (templateNameTaken(db, b.customerId, b.name)) return c.json({ error: `a template named '${b.name}' exists already` }, 409);
    const t = createTemplate(db, { ...b, now: now() });
    return c.json({ template: templateView(t, db, ids, 'admin') }, 201);
  });

  app.put('/:id', async (c) => {
    const t = editable(c);
    if (t instanceof Response) return t;
    const body = await parseJson(c, TemplateUpdateSchema);
    if (!body.ok) return body.res;
    const problem = checksProblem(body.data.checks);
    if (problem) return c.json({ error: problem }, 400);
    const order = checksOrderProblem(body.data.checks);
    if (order) return c.json(refusal(order), 400);
    if (templateNameTaken(db, t.customerId, body.data.name, t.id)) return c.json({ error: `a template named '${body.data.name}' exists already` }, 409);
    const kind = templateChangeProblem(db, t.id, body.data.checks);
    if (kind) return c.json({ error: kind.en, errorZh: kind.zh }, 400);
    const underOverrides = templateOverridesOrderProblem(db, t.id, body.data.checks);
    if (underOverrides) return c.json(refusal(underOverrides), 400);
    updateTemplate(db, t.id, { ...body.data, now: now() });
    const pushed = pushTemplateUsers(deps, t.id);
    const changes = checkChanges(t.checks, body.data.checks);
    const renamed = [
      ...(t.name !== body.data.name ? [{ en: `name ${t.name} → ${body.data.name}`, zh: `名称 ${t.name} → ${body.data.name}` }] : []),
      ...(t.description !== body.data.description ? [{ en: 'description changed', zh: '描述已修改' }] : []),
    ];
    const saved = savedText(changes, templateReach(deps, t, pushed), renamed);
    return c.json({ template: templateView(getTemplate(db, t.id)!, db, c.get('customerIds'), 'admin'), pushedToAgents: pushed, changes, saved });
  });

  app.delete('/:id', (c) => {
    const t = editable(c);
    if (t instanceof Response) return t;
    return c.json({ removed: true, pushedToAgents: removeTemplateAndPush(deps, t.id) });
  });

  /** Which tags of one customer this template applies to (replaces that customer's list). */
  app.put('/:id/tags', async (c) => {
    if (!canManage(c.get('user').role)) return c.json({ error: 'only engineers and admins assign templates' }, 403);
    const ids = c.get('customerIds');
    const t = getTemplate(db, c.req.param('id'), ids);
    if (!t) return c.json({ error: 'template not found' }, 404);
    const body = await parseJson(c, TemplateTagsSchema);
    if (!body.ok) return body.res;
    const { customerId, tags } = body.data;
    if (!getCustomer(db, customerId) || (ids && !ids.includes(customerId))) return c.json({ error: 'customer not found' }, 404);
    if (t.customerId !== null && t.customerId !== customerId) return c.json({ error: "a customer's template applies only to that customer's hosts" }, 400);
    const kind = templateTagsProblem(db, t.id, customerId, tags);
    if (kind) return c.json({ error: kind.en, errorZh: kind.zh }, 400);
    const users = templateUsers(deps, t.id);
    setTemplateTags(db, t.id, customerId, tags, now());
    const pushed = pushTemplateUsers(deps, t.id, users);
    const who = getCustomer(db, customerId)?.name ?? customerId;
    const line = { en: `${t.name} applies to tags of ${who}: ${tags.join(', ') || 'none'}`, zh: `${t.name} 应用于 ${who} 的标签：${tags.join('、') || '无'}` };
    return c.json({ template: templateView(t, db, ids, c.get('user').role), pushedToAgents: pushed, saved: savedText([], templateReach(deps, t, pushed), [line]) });
  });

  return app;
}

function assignmentView(db: Db, host: Host, role: string) {
  const r = resolveAssignment(db, host);
  const overrides = Object.fromEntries(Object.entries(r.overrides).map(([name, params]) => [name, paramsForRole(params, role)]));
  return { hostId: host.id, templates: r.templates, overrides, checks: r.checks.map((ch) => ({ ...ch, params: paramsForRole(ch.params, role) })) };
}

/** /api/hosts/:id/assignments: which templates a host runs, with its threshold overrides. */
export function hostAssignmentRoutes(deps: AssignmentRouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { db } = deps;

  app.get('/:id/assignments', (c) => {
    const host = getHost(db, c.req.param('id'), c.get('customerIds'));
    if (!host) return c.json({ error: 'host not found' }, 404);
    return c.json(assignmentView(db, host, c.get('user').role));
  });

  /**
   * Replace the host's own templates and/or its overrides; what is left out stays. Pushed to its agent at once.
   * An own list is exact: it replaces the default template (name it to keep it); `templates: []` clears the
   * list, back to the default. Tag templates apply either way.
   */
  app.put('/:id/assignments', async (c) => {
    if (!canManage(c.get('user').role)) return c.json({ error: 'only engineers and admins assign checks' }, 403);
    const host = getHost(db, c.req.param('id'), c.get('customerIds'));
    if (!host) return c.json({ error: 'host not found' }, 404);
    const body = await parseJson(c, HostAssignmentSchema);
    if (!body.ok) return body.res;
    const { templates, overrides } = body.data;
    for (const id of templates ?? []) {
      // The host's customer decides which templates exist for it, not the caller's wider view.
      if (!getTemplate(db, id, [host.customerId])) return c.json({ error: `template '${id}' not found` }, 400);
    }
    const problem = overrides && overridesProblem(db, host, templates, overrides);
    if (problem) return c.json({ error: problem }, 400);
    const kind = hostAssignmentProblem(db, host, { hostTemplateIds: templates, overrides });
    if (kind) return c.json({ error: kind.en, errorZh: kind.zh }, 400);
    if (overrides) {
      // Only the checks whose override is sent: a template stored before the rule must not block every host's save.
      const next = resolveAssignment(db, host, { hostTemplateIds: templates, overrides }).checks;
      const order = checksOrderProblem(next.filter((ch) => ch.name in overrides));
      if (order) return c.json(refusal(order), 400);
    }
    if (overrides && c.get('user').role !== 'admin') {
      const refused = engineerOverrideProblem(overrides, hostOverrides(db, host.id));
      if (refused) return c.json({ error: refused.en, errorZh: refused.zh }, 403);
    }
    const before = resolveAssignment(db, host).checks;
    db.transaction(() => {
      if (templates) setHostTemplates(db, host.id, templates);
      if (overrides) setHostOverrides(db, host.id, overrides);
    })();
    const pushed = deps.pushConfig(host.id);
    const changes = checkChanges(before, resolveAssignment(db, host).checks);
    const reach: SaveReach = host.kind !== 'agent' ? { pushed: 0, offline: 0, agentless: 1 } : { pushed: pushed ? 1 : 0, offline: pushed ? 0 : 1, agentless: 0 };
    return c.json({ ...assignmentView(db, host, c.get('user').role), pushedToAgent: pushed, pushedToAgents: pushed ? 1 : 0, changes, saved: savedText(changes, reach) });
  });

  return app;
}

/** Overrides must name checks the host will run and give parameters those checks accept. */
function overridesProblem(db: Db, host: Host, templates: string[] | undefined, overrides: HostOverrides): string | undefined {
  const resolved = resolveAssignment(db, host, { hostTemplateIds: templates, overrides: {} }).checks;
  for (const [name, params] of Object.entries(overrides)) {
    const check = resolved.find((c) => c.name === name);
    if (!check) return `override for '${name}': the host has no check of that name (it has: ${resolved.map((c) => c.name).join(', ') || 'none'})`;
    const p = paramsProblem(check.checkId, { ...check.params, ...params });
    if (p) return `override for '${name}': ${p}`;
  }
  return undefined;
}
