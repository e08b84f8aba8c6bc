import type { Recipient } from '../oncall/contacts.js';
import type { NotificationItem, NotificationKind } from './outbox.js';
import { renderCheckMessage } from '../../checks/messages.js';

/** One coalesced message: every item queued for one host and tier within the coalescing window. */
export interface NotificationMessage {
  id: string;
  customerId: string;
  customerName: string;
  hostId: string;
  hostName: string;
  tier: 1 | 2 | 3;
  items: NotificationItem[];
  recipients: Recipient[];
  createdAt: number;
}

type Lang = 'zh' | 'en';

/** How free text goes into a message: as it is (e-mail, whose body is plain text) or made inert for one chat. */
export type Escape = (text: string) => string;
const plain: Escape = (t) => t;

/** U+2060 WORD JOINER: invisible, and it breaks the pattern a chat would turn into a mention or a link. */
const WJ = '\u2060';

/** A `<` broken by a word joiner: no chat reads `<at user_id="all">` (Feishu) or `<@userid>` (WeCom) as a tag. */
export const breakTags: Escape = (t) => t.replace(/</g, `<${WJ}`);

/**
 * Free text (a check's summary and a host's name come from the agent, root on a customer host; names of
 * customers, checks and people from users) made inert for a chat: it must never mention anyone or carry a link
 * of its own. One line (no lines that look like ours); the chat's own markup escaped (`markup`: a chat kind's
 * choice, breakTags by default); every `@` (`@all`, `@所有人`, `@channel`, `@13800000000`), markdown's `](` and a
 * URL's `://` get a word joiner, so a reader still sees the same text and no chat links or mentions it.
 */
export function inertForChat(text: string, markup: Escape = breakTags): string {
  return markup(text.replace(/[\r\n\u2028\u2029]+/g, ' '))
    .replace(/[@＠]/g, (at) => `${at}${WJ}`)
    .replace(/\]\(/g, `]${WJ}(`)
    .replace(/([A-Za-z][A-Za-z0-9+.-]*):\/\//g, `$1:${WJ}//`);
}

const KIND_LABEL: Record<Lang, Record<NotificationKind, string>> = {
  zh: { problem: '故障', recovery: '已恢复', escalation: '升级', reopen: '重新打开', severity: '级别升高' },
  en: { problem: 'PROBLEM', recovery: 'RECOVERED', escalation: 'ESCALATED', reopen: 'REOPENED', severity: 'SEVERITY RAISED' },
};

function itemLine(i: NotificationItem, lang: Lang, esc: Escape): string {
  const kind = i.kind === 'escalation' ? `${KIND_LABEL[lang].escalation} L${i.tier}` : KIND_LABEL[lang][i.kind];
  const flap = i.flapping ? (lang === 'zh' ? ' [抖动]' : ' [flapping]') : '';
  // The check's result in the channel's language; its values come from the agent, so it is escaped like the summary.
  return `[${i.severity}] ${i.number} ${kind}${flap}: ${esc(i.title)} (${i.status}) ${esc(renderCheckMessage(lang, i.summaryMessage, i.summary))}`.trim();
}

export function subjectOf(m: NotificationMessage, lang: Lang, esc: Escape = plain): string {
  const first = m.items[0];
  if (m.items.length === 0) return lang === 'zh' ? '[Patrol] 测试消息' : '[Patrol] test message';
  if (m.items.length === 1 && first) {
    const kind = first.kind === 'escalation' ? `${KIND_LABEL[lang].escalation} L${first.tier}` : KIND_LABEL[lang][first.kind];
    return `[Patrol] [${first.severity}] ${first.number} ${kind}: ${esc(first.title)}`;
  }
  return lang === 'zh'
    ? `[Patrol] ${esc(m.customerName)} / ${esc(m.hostName)}: ${m.items.length} 条工单通知`
    : `[Patrol] ${esc(m.customerName)} / ${esc(m.hostName)}: ${m.items.length} ticket updates`;
}

/** The message as text: plain (e-mail), or with every free text made inert for one chat (its kind's escape). */
export function textOf(m: NotificationMessage, lang: Lang, esc: Escape = plain): string {
  const head = lang === 'zh' ? `客户 ${esc(m.customerName)} 主机 ${esc(m.hostName)}` : `Customer ${esc(m.customerName)}, host ${esc(m.hostName)}`;
  const lines = [subjectOf(m, lang, esc), head, ...m.items.map((i) => itemLine(i, lang, esc))];
  if (m.recipients.length > 0) {
    lines.push(`${lang === 'zh' ? `L${m.tier} 值班` : `L${m.tier} on duty`}: ${m.recipients.map((r) => esc(r.name)).join(', ')}`);
  }
  return lines.join('\n');
}
