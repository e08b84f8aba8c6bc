import { z } from 'zod';
import { findCheck } from '../../checks/index.js';
import { secretParamsIn, secretParamsProblem } from '../../checks/database/credentials.js';
import { formatZodError } from '../../shared/protocol.js';
import type { CheckAssignment } from '../../shared/assignment.js';
import { kindCanRun, NETWORK_ONLY_CHECKS } from '../../checks/exec/host-access.js';
import { passwordEnvProblem } from '../../checks/database/credentials.js';
import type { Db } from '../db/database.js';
import { listHosts, type Host } from '../db/hosts.js';
import { resolveAssignment } from './db-source.js';
import { getTemplate, hostOverrides, type HostOverrides } from './template-store.js';
import { fillRuleText, pairViolation, PAIR_RULE_KEY, PAIR_RULE_TEXT } from '../../checks/param-rules.js';
import { paramDefaults, paramForm } from './param-form.js';

/**
 * Check that parameters suit a check type, before they are stored. Templates and overrides may leave out
 * required parameters that the host fills in (an SNMP device's address, a file's path given per host), so
 * every parameter is optional here; unknown names are refused, so a typo like `warnPtc` is caught at once
 * instead of silently keeping the default threshold. The full check runs its own schema when it runs.
 * A secret (a database `password`) is refused with the way to give it instead (`passwordEnv`): whatever is
 * stored here is sent to the agent in its config frames.
 */
export function paramsProblem(checkId: string, params: Record<string, unknown>): string | undefined {
  const def = findCheck(checkId);
  if (!def) return `unknown check type '${checkId}'`;
  if (!(def.params instanceof z.ZodObject)) return undefined;
  const shape = def.params.shape as Record<string, unknown>;
  if (secretParamsIn(params).some((k) => k in shape)) return `${checkId}: ${secretParamsProblem(params)}`;
  const r = def.params.partial().strict().safeParse(params);
  return r.success ? undefined : `${checkId}: ${formatZodError(r.error)}`;
}

/** A refusal shown to the user who saved: English and Chinese (the dashboard shows the page's language). */
export interface AssignProblem {
  en: string;
  zh: string;
  /** A message key with its values, for readers that word it themselves (the API answers `key` and `values`). */
  key?: string;
  values?: Record<string, string | number>;
}

/**
 * A warning level beyond the critical one (warn 95, crit 80 where higher is worse), judged on the values the check
 * would run with: its defaults, then what is assigned (a template's parameters, a host's override over them). The
 * pairs and words are checks/param-rules.ts, which the settings forms use too.
 */
export function thresholdOrderProblem(check: Pick<CheckAssignment, 'name' | 'checkId' | 'params'>): AssignProblem | undefined {
  const form = paramForm(check.checkId);
  if (!form) return undefined;
  const v = pairViolation(form.pairs, { ...paramDefaults(check.checkId), ...check.params });
  if (!v) return undefined;
  const values = { check: check.name, warn: v.warn, warnValue: v.warnValue, crit: v.crit, critValue: v.critValue };
  return { en: fillRuleText(PAIR_RULE_TEXT[v.worse].en, values), zh: fillRuleText(PAIR_RULE_TEXT[v.worse].zh, values), key: PAIR_RULE_KEY[v.worse], values };
}

/** The first check of a list whose thresholds are out of order. */
export function checksOrderProblem(checks: ReadonlyArray<Pick<CheckAssignment, 'name' | 'checkId' | 'params'>>): AssignProblem | undefined {
  for (const c of checks) {
    const p = thresholdOrderProblem(c);
    if (p) return p;
  }
  return undefined;
}

/**
 * Why a host of this kind cannot be given these checks, or undefined. An SNMP device has no agent and no SSH
 * login: checks that run programs or read files (script.nagios, system.*, network.ping) would run on the
 * collector, which never executes anything for a host. Where the check runs decides which passwordEnv names it
 * may read (the collector only PATROL_CHECK_*; an agent never its own PATROL_* settings).
 */
export function hostKindProblem(host: Pick<Host, 'name' | 'kind'>, checks: ReadonlyArray<Pick<CheckAssignment, 'name' | 'checkId' | 'params'>>): AssignProblem | undefined {
  for (const c of checks) {
    if (!kindCanRun(host.kind, c.checkId)) {
      const allowed = [...NETWORK_ONLY_CHECKS].join(', ');
      return {
        en: `check '${c.name}' (${c.checkId}) cannot run on SNMP device '${host.name}': it has no agent and no SSH login, and the collector never runs programs or reads files for a host. An SNMP device takes network checks only (${allowed}); give this check to hosts with an agent or SSH access`,
        zh: `检查“${c.name}”（${c.checkId}）不能用于 SNMP 设备“${host.name}”：该设备没有 Agent 也没有 SSH 登录，而采集服务器从不为主机运行程序或读取文件。SNMP 设备只能使用网络类检查（${allowed}）；请把此检查分配给装有 Agent 或可 SSH 登录的主机`,
      };
    }
    const envName = c.params.passwordEnv;
    if (typeof envName === 'string') {
      const problem = passwordEnvProblem(envName, host.kind === 'agent' ? 'agent' : 'collector');
      if (problem) {
        return {
          en: `check '${c.name}' on host '${host.name}': passwordEnv ${envName} is not allowed: ${problem.rule}`,
          zh: `主机“${host.name}”上的检查“${c.name}”：不允许 passwordEnv ${envName}：${problem.ruleZh}`,
        };
      }
    }
  }
  return undefined;
}

/**
 * Which hosts could refuse these checks: SNMP devices when a check runs on the host, every host when one names a
 * passwordEnv (its rule depends on where it runs). Saves resolving every host's templates on each save.
 */
function mayRefuse(checks: ReadonlyArray<Pick<CheckAssignment, 'checkId' | 'params'>>): (h: Host) => boolean {
  if (checks.some((c) => typeof c.params.passwordEnv === 'string')) return () => true;
  return checks.some((c) => !kindCanRun('snmp', c.checkId)) ? (h) => h.kind === 'snmp' : () => false;
}

/** The first host (of those given) that cannot take these checks, with why. */
function firstHostProblem(hosts: readonly Host[], checks: ReadonlyArray<Pick<CheckAssignment, 'name' | 'checkId' | 'params'>>, overridesOf: (h: Host) => HostOverrides): AssignProblem | undefined {
  for (const h of hosts) {
    const o = overridesOf(h);
    const p = hostKindProblem(h, checks.map((c) => (o[c.name] ? { ...c, params: { ...c.params, ...o[c.name] } } : c)));
    if (p) return p;
  }
  return undefined;
}

/** A template's new checks, against every host that runs the template now (PUT /api/templates/:id). */
export function templateChangeProblem(db: Db, templateId: string, checks: readonly CheckAssignment[]): AssignProblem | undefined {
  const candidate = mayRefuse(checks);
  const t = getTemplate(db, templateId);
  if (!t) return undefined;
  const users = listHosts(db, t.customerId ? [t.customerId] : undefined).filter((h) => candidate(h) && resolveAssignment(db, h).templates.some((r) => r.id === templateId));
  return firstHostProblem(users, checks, (h) => hostOverrides(db, h.id));
}

/**
 * A template's new checks under the overrides of the hosts that run it: a host that lowered crit to 85 must not end
 * up with the template's new warning of 90 above it. Named with the host, since the fix may be on either side.
 */
export function templateOverridesOrderProblem(db: Db, templateId: string, checks: readonly CheckAssignment[]): AssignProblem | undefined {
  const t = getTemplate(db, templateId);
  if (!t) return undefined;
  for (const h of listHosts(db, t.customerId ? [t.customerId] : undefined)) {
    const o = hostOverrides(db, h.id);
    const touched = checks.filter((c) => o[c.name]);
    if (!touched.length || !resolveAssignment(db, h).templates.some((r) => r.id === templateId)) continue;
    const p = checksOrderProblem(touched.map((c) => ({ ...c, params: { ...c.params, ...o[c.name] } })));
    if (p) return { ...p, en: `host '${h.name}' overrides this check: ${p.en}`, zh: `主机“${h.name}”覆盖了此检查：${p.zh}` };
  }
  return undefined;
}

/** A template given to the hosts of a customer that carry these tags (PUT /api/templates/:id/tags). */
export function templateTagsProblem(db: Db, templateId: string, customerId: string, tags: readonly string[]): AssignProblem | undefined {
  const t = getTemplate(db, templateId);
  if (!t) return undefined;
  const candidate = mayRefuse(t.checks);
  const tagged = listHosts(db, [customerId]).filter((h) => candidate(h) && h.tags.some((tag) => tags.includes(tag)));
  return firstHostProblem(tagged, t.checks, (h) => hostOverrides(db, h.id));
}

/** A host's new template list and overrides, before they are stored (PUT /api/hosts/:id/assignments). */
export function hostAssignmentProblem(db: Db, host: Host, what: { hostTemplateIds?: readonly string[]; overrides?: HostOverrides }): AssignProblem | undefined {
  return hostKindProblem(host, resolveAssignment(db, host, what).checks);
}
