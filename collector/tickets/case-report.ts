import type { CaseChannel, Domain } from './case-types.js';

/**
 * The words for how a case came in and which expert domain it went to, in zh and en: the fault-handling report
 * (reports/fault-document.ts) and the monthly service report name them the same way.
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

export function channelName(channel: CaseChannel, lang: Lang): string {
  return CHANNELS[lang][channel];
}

export function domainName(domain: Domain, lang: Lang): string {
  return DOMAIN_NAMES[lang][domain];
}
