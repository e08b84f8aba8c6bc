import type { CheckAssignment } from '../../shared/assignment.js';
import { paramDefaults, paramForm } from './param-form.js';

/**
 * What a save of checks changed and where it takes effect, in words for the person who saved: "disk: Disk use
 * warning at (warnPct) 80 % → 85 %", "Pushed to 3 running agents". The API answers it with each save (`saved`),
 * the settings pages show it after the reload. Values are compared as the check runs them (defaults filled in),
 * so setting 80 where the default is 80 is no change, and removing an override says which default comes back.
 */
export interface ParamChange {
  check: string;
  checkId: string;
  /** A parameter name, or '' for the check itself (added, removed) and 'intervalSec' for how often it runs. */
  param: string;
  from?: unknown;
  to?: unknown;
}

export interface SavedText {
  en: string[];
  zh: string[];
}

type Check = Pick<CheckAssignment, 'name' | 'checkId' | 'params' | 'intervalSec'>;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Changes from one list of checks to another, matched by name. */
export function checkChanges(before: readonly Check[], after: readonly Check[]): ParamChange[] {
  const out: ParamChange[] = [];
  const old = new Map(before.map((c) => [c.name, c]));
  for (const c of after) {
    const b = old.get(c.name);
    if (!b || b.checkId !== c.checkId) {
      out.push({ check: c.name, checkId: c.checkId, param: '', to: 'added' });
      continue;
    }
    if (b.intervalSec !== c.intervalSec) out.push({ check: c.name, checkId: c.checkId, param: 'intervalSec', from: b.intervalSec, to: c.intervalSec });
    const defaults = paramDefaults(c.checkId);
    const from = { ...defaults, ...b.params };
    const to = { ...defaults, ...c.params };
    for (const k of new Set([...Object.keys(from), ...Object.keys(to)])) {
      if (!same(from[k], to[k])) out.push({ check: c.name, checkId: c.checkId, param: k, from: from[k], to: to[k] });
    }
  }
  const now = new Set(after.map((c) => c.name));
  for (const b of before) if (!now.has(b.name) || after.find((c) => c.name === b.name)?.checkId !== b.checkId) out.push({ check: b.name, checkId: b.checkId, param: '', from: 'removed' });
  return out;
}

/** A value as the line shows it: numbers with their unit, text quoted short, lists and objects shortened. */
function shown(v: unknown, unit: string): string {
  if (v === undefined) return '—';
  if (typeof v === 'number') return unit ? `${v}${unit.startsWith('/') ? '' : ' '}${unit}` : String(v);
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

/** One change as a line in each language. */
function changeLine(c: ParamChange): { en: string; zh: string } {
  if (c.param === '') {
    return c.to === 'added' ? { en: `added check ${c.check} (${c.checkId})`, zh: `新增检查 ${c.check}（${c.checkId}）` } : { en: `removed check ${c.check} (${c.checkId})`, zh: `移除检查 ${c.check}（${c.checkId}）` };
  }
  if (c.param === 'intervalSec') return { en: `${c.check}: runs every ${shown(c.from, 's')} → ${shown(c.to, 's')}`, zh: `${c.check}：运行间隔 ${shown(c.from, '秒')} → ${shown(c.to, '秒')}` };
  const f = paramForm(c.checkId)?.fields.find((x) => x.name === c.param);
  const label = f?.label ?? { en: c.param, zh: c.param };
  const unit = { en: f?.unitText?.en ?? '', zh: f?.unitText?.zh ?? '' };
  return {
    en: `${c.check}: ${label.en} (${c.param}) ${shown(c.from, unit.en)} → ${shown(c.to, unit.en)}`,
    zh: `${c.check}：${label.zh}（${c.param}）${shown(c.from, unit.zh)} → ${shown(c.to, unit.zh)}`,
  };
}

/** Where a save reaches: agents told now, hosts that get it later. */
export interface SaveReach {
  /** Running agents that got the new checks now. */
  pushed: number;
  /** Agent hosts that run the checks but are not connected: they get them on their next connection. */
  offline: number;
  /** SSH and SNMP hosts: the collector reads their checks at each poll. */
  agentless: number;
}

function reachLines(r: SaveReach): { en: string[]; zh: string[] } {
  const en: string[] = [];
  const zh: string[] = [];
  if (r.pushed) {
    en.push(`Pushed to ${r.pushed} running agent${r.pushed === 1 ? '' : 's'}.`);
    zh.push(`已推送到 ${r.pushed} 个运行中的代理。`);
  }
  if (r.offline) {
    en.push(r.offline === 1 ? 'Takes effect when the agent reconnects.' : `Takes effect on ${r.offline} hosts when their agents reconnect.`);
    zh.push(r.offline === 1 ? '代理重新连接后生效。' : `${r.offline} 台主机在其代理重新连接后生效。`);
  }
  if (r.agentless) {
    en.push(`The collector uses it from the next poll of ${r.agentless} agentless host${r.agentless === 1 ? '' : 's'}.`);
    zh.push(`${r.agentless} 台无 Agent 主机从采集服务器下次轮询起生效。`);
  }
  if (!r.pushed && !r.offline && !r.agentless) {
    en.push('No host runs these checks yet.');
    zh.push('目前没有主机运行这些检查。');
  }
  return { en, zh };
}

/** The words for a save: what changed (or that nothing did), then where it takes effect. */
export function savedText(changes: readonly ParamChange[], reach: SaveReach, extra: { en: string; zh: string }[] = []): SavedText {
  const lines = [...changes.map(changeLine), ...extra];
  const r = reachLines(reach);
  if (!lines.length) return { en: ['Saved; nothing changed.'], zh: ['已保存，没有改动。'] };
  return { en: [...lines.map((l) => l.en), ...r.en], zh: [...lines.map((l) => l.zh), ...r.zh] };
}
