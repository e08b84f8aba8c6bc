import type { CheckTemplate } from './builtin-templates.js';
import type { HostOverrides } from './template-store.js';

/**
 * Who sees and sets which check parameters. Thresholds are numbers and true/false (warnPct, critMs, port,
 * followRedirects); everything else (a command and its args, script env, HTTP headers, URLs, host names,
 * passwordEnv, paths) can hold a secret or decide what runs and where it connects.
 */
const isThreshold = (v: unknown): boolean => (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';

/** Staff see every parameter; customer users see check names and thresholds only. */
export function maySeeParams(role: string): boolean {
  return role === 'admin' || role === 'engineer';
}

export function thresholdsOnly(params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => isThreshold(v)));
}

export function paramsForRole(params: Readonly<Record<string, unknown>>, role: string): Record<string, unknown> {
  return maySeeParams(role) ? { ...params } : thresholdsOnly(params);
}

/** A template as a customer user may see it: every check, with its thresholds only. */
export function customerTemplateView(t: CheckTemplate): CheckTemplate {
  return { ...t, checks: t.checks.map((c) => ({ ...c, params: thresholdsOnly(c.params) })) };
}

/**
 * Why an engineer may not store these per-host overrides, or undefined. Engineers tune thresholds of the hosts
 * they serve; any other parameter would let them change what a template (made by an admin) runs or where it
 * connects. A non-threshold value already stored (set by an admin) may be sent back unchanged, so a form that
 * writes back what it read still works; leaving it out removes it (back to the template's value).
 */
export function engineerOverrideProblem(sent: HostOverrides, stored: HostOverrides): { en: string; zh: string } | undefined {
  for (const [check, params] of Object.entries(sent)) {
    for (const [name, value] of Object.entries(params)) {
      if (isThreshold(value)) continue;
      const before = stored[check]?.[name];
      if (before !== undefined && JSON.stringify(before) === JSON.stringify(value)) continue;
      return {
        en: `override for '${check}': '${name}' is not a threshold (a number or true/false); only admins set commands, arguments, environment, headers, addresses and other text parameters`,
        zh: `检查 '${check}' 的覆盖：'${name}' 不是阈值（数字或 true/false）；命令、参数、环境变量、请求头、地址等文本参数只有管理员可以设置`,
      };
    }
  }
  return undefined;
}
