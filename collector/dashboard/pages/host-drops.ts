import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { listAgents } from '../../db/agents.js';
import type { Host } from '../../db/hosts.js';
import { listAgentRefusals, REFUSAL_KINDS, type AgentRefusals } from '../../ingest/refusals.js';
import type { MetricsStore } from '../../metrics/store.js';
import { formatTime } from '../../page-kit/format.js';
import type { Lang, Translate } from '../../page-kit/i18n/index.js';
import type { Html } from '../../page-kit/layout.js';

/**
 * What never reached the store for a host (issue 16: "anything dropped counted and shown on the host's page"):
 * - the agent's own count of what its spool gave up (full spool, full disk, a line too long for any batch), which
 *   it sends with every batch as `patrol_agent dropped_points_total` (agent/agent.ts selfMetrics): every check
 *   result counts one, and each figure it carried one more (agent/spool.ts countPoints); the counter lives in the
 *   spool's meta file, so it survives agent restarts;
 * - what the collector refused from the host's agent (ingest/refusals.ts), as the agents page counts it.
 */

/** How far back the agent's counter is read: the host page's longest chart range. */
const WINDOW_MS = 90 * 86400_000;
/** Hourly buckets: 2,160 at most, one small query for one host. */
const STEP_MS = 3600_000;

export interface AgentDrops {
  /** The agent's counter at its newest report. */
  total: number;
  /** The first hour in the window at which the counter was above zero. */
  firstSeenAt: number;
  /** The hour of the counter's newest increase. */
  lastIncreaseAt: number;
}

/** The agent's dropped-points counter over the window, or undefined when it never dropped anything there. */
export async function agentDrops(store: MetricsStore, host: Host, now: number): Promise<AgentDrops | undefined> {
  const series = await store.series({
    measurement: 'patrol_agent',
    field: 'dropped_points_total',
    where: { customer: host.customerId, host: host.id },
    from: now - WINDOW_MS,
    to: now + 1,
    stepMs: STEP_MS,
    agg: 'max',
  });
  const points = (series[0]?.points ?? []).filter((p) => Number.isFinite(p.value)).sort((a, b) => a.time - b.time);
  const first = points.find((p) => p.value > 0);
  if (!first) return undefined;
  let lastIncreaseAt = first.time;
  for (let i = 1; i < points.length; i++) if (points[i]!.value > points[i - 1]!.value) lastIncreaseAt = points[i]!.time;
  return { total: points[points.length - 1]!.value, firstSeenAt: first.time, lastIncreaseAt };
}

const WORDS = {
  zh: {
    heading: '未送达的数据',
    agent: (n: string, first: string, last: string) => `代理因缓存已满或数据过大丢弃了 ${n} 条数据（检查结果及其指标），首次发现于 ${first}，最近一次增加于 ${last}。`,
    refused: '被采集器拒收：',
    last: '最近一次',
  },
  en: {
    heading: 'Data that never arrived',
    agent: (n: string, first: string, last: string) => `${n} results and figures dropped by the agent (spool full or too large), first seen ${first}, latest increase ${last}.`,
    refused: 'Refused by the collector:',
    last: 'latest',
  },
} as const;

/** The refusals of the host's agents (a host re-enrolled has had more than one), added up. */
function hostRefusals(db: Db, host: Host): AgentRefusals | undefined {
  const all = listAgentRefusals(db);
  const mine = listAgents(db, [host.customerId])
    .filter((a) => a.hostId === host.id)
    .map((a) => all.get(a.id))
    .filter((r): r is AgentRefusals => r !== undefined);
  if (!mine.length) return undefined;
  return mine.reduce((sum, r) => {
    const out = { ...sum };
    for (const k of REFUSAL_KINDS) out[k] = sum[k] + r[k];
    if ((r.lastRefusedAt ?? 0) > (sum.lastRefusedAt ?? 0)) Object.assign(out, { lastRefusedAt: r.lastRefusedAt, lastReason: r.lastReason });
    return out;
  });
}

/**
 * The host page's section on lost data; nothing when nothing was lost. The newest refusal's reason (the collector's
 * own words, with the refused line) shows on hover for staff only, as on the agents page.
 */
export function dropsSection(db: Db, host: Host, drops: AgentDrops | undefined, t: Translate, lang: Lang, staff: boolean): Html | '' {
  const w = WORDS[lang];
  const refused = hostRefusals(db, host);
  const kinds = refused ? REFUSAL_KINDS.filter((k) => refused[k] > 0) : [];
  if (!drops && !kinds.length) return '';
  const n = (v: number) => v.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB');
  return html`<section class="panel drops" id="host-drops" role="status"><h2>${w.heading}</h2>
    ${drops ? html`<p id="agent-dropped" data-dropped="${drops.total}">${w.agent(n(drops.total), formatTime(drops.firstSeenAt, lang), formatTime(drops.lastIncreaseAt, lang))}</p>` : ''}
    ${refused && kinds.length
      ? html`<p id="collector-refused" title="${staff ? (refused.lastReason ?? '') : ''}">${w.refused} ${kinds.map((k, i) => html`${i ? ' · ' : ''}<span data-refused="${k}">${t(`agents.refused.${k}`)} ${n(refused[k])}</span>`)}${
          refused.lastRefusedAt ? html` <small>(${w.last} ${formatTime(refused.lastRefusedAt, lang)})</small>` : ''
        }</p>`
      : ''}
  </section>`;
}
