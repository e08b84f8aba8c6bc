import type { Rating } from './case-actions.js';
import type { CaseChannel, Domain } from './case-types.js';
import type { Ticket } from './ticket-store.js';

/**
 * The fault report's rows for what a case adds to a monitoring ticket: how it came in, who reported it, what they
 * said, the expert domain, and the customer's rating. Words in zh and en, as the rest of fault-report.ts.
 */
type Lang = 'zh' | 'en';

const CHANNELS: Record<Lang, Record<CaseChannel, string>> = {
  zh: { phone: '电话', email: '电子邮件', onsite: '现场', portal: '客户门户', monitoring: '监控自动发现' },
  en: { phone: 'phone', email: 'e-mail', onsite: 'on site', portal: 'customer portal', monitoring: 'monitoring' },
};
const DOMAIN_NAMES: Record<Lang, Record<Domain, string>> = {
  zh: { network: '网络', database: '数据库', system: '系统', security: '安全' },
  en: { network: 'network', database: 'database', system: 'systems', security: 'security' },
};
const WORDS = {
  zh: { channel: '报告渠道', caller: '报告人', description: '问题描述', domain: '专业领域', rating: '客户满意度', proposed: '（客户建议，待确认）', byRule: '按合同规则自动关闭（未经客户确认）' },
  en: { channel: 'Reported by', caller: 'Caller', description: 'Description', domain: 'Expert domain', rating: 'Customer satisfaction', proposed: ' (proposed by the customer, not yet confirmed)', byRule: "closed by the contract's rule (not confirmed by the customer)" },
} as const;

export function channelName(channel: CaseChannel, lang: Lang): string {
  return CHANNELS[lang][channel];
}

export function domainName(domain: Domain, lang: Lang): string {
  return DOMAIN_NAMES[lang][domain];
}

export function caseReportRows(t: Ticket, rating: Rating | null, lang: Lang): Array<[string, string]> {
  const w = WORDS[lang];
  const rows: Array<[string, string]> = [[w.channel, CHANNELS[lang][t.channel]]];
  if (t.caller) rows.push([w.caller, [t.caller.name, t.caller.phone, t.caller.email].filter(Boolean).join(' · ')]);
  if (t.description) rows.push([w.description, t.description]);
  if (t.domain) rows.push([w.domain, DOMAIN_NAMES[lang][t.domain]]);
  if (t.severityProposed) rows.push([w.proposed.replace(/[（）()]/g, '').trim(), t.severity]);
  if (rating) rows.push([w.rating, `${rating.score} / 5${rating.remark ? ` · ${rating.remark}` : ''}`]);
  return rows;
}

/** Who closed it, when nobody did: the contract's rule, said so, never mistaken for the customer's consent. */
export function closedByRule(lang: Lang): string {
  return WORDS[lang].byRule;
}

/** zh labels of the event kinds cases add (the English report shows the kind itself). */
export const CASE_EVENT_KINDS_ZH: Record<string, string> = {
  'closed-by-contract': '按合同规则关闭',
  'auto-close-notice': '自动关闭预告',
  'customer-reminded': '提醒客户确认',
  'severity-changed': '调整级别',
  'severity-confirmed': '确认级别',
  'domain-set': '指定专业领域',
  'onsite-needed': '需要现场',
  rated: '客户评价',
  'mail-received': '收到邮件',
};
