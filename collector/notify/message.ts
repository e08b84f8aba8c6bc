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

/** The chat tools whose incoming webhooks take a text message. */
export type ChatKind = 'wecom' | 'dingtalk' | 'feishu' | 'slack';
/** How free text goes into a message: as it is (e-mail, whose body is plain text) or made inert for one chat. */
type Escape = (text: string) => string;
const plain: Escape = (t) => t;

/** U+2060 WORD JOINER: invisible, and it breaks the pattern a chat would turn into a mention or a link. */
const WJ = '\u2060';

/**
 * Free text (a check's summary and a host's name come from the agent, root on a customer host; names of
 * customers, checks and people from users) made inert for a chat: it must never mention anyone or carry a link
 * of its own. One line (no lines that look like ours); Slack's `&` `<` `>` escaped as Slack asks, which kills
 * `<!channel>`, `<!here>`, `<@U...>` and `<url|text>`; elsewhere a `<` is broken (Feishu's `<at user_id="all">`,
 * WeCom's `<@userid>`); every `@` (`@all`, `@所有人`, `@channel`, `@13800000000`), markdown's `](` and a URL's
 * `://` get a word joiner, so a reader still sees the same text and no chat links or mentions it.
 */
export function chatSafe(kind: ChatKind, text: string): string {
  let v = text.replace(/[\r\n\u2028\u2029]+/g, ' ');
  v = kind === 'slack' ? v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : v.replace(/</g, `<${WJ}`);
  return v
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

/** The message as text: plain (e-mail), or with every free text made inert for one chat (chatSafe). */
export function textOf(m: NotificationMessage, lang: Lang, chat?: ChatKind): string {
  const esc: Escape = chat ? (t) => chatSafe(chat, t) : plain;
  const head = lang === 'zh' ? `客户 ${esc(m.customerName)} 主机 ${esc(m.hostName)}` : `Customer ${esc(m.customerName)}, host ${esc(m.hostName)}`;
  const lines = [subjectOf(m, lang, esc), head, ...m.items.map((i) => itemLine(i, lang, esc))];
  if (m.recipients.length > 0) {
    lines.push(`${lang === 'zh' ? `L${m.tier} 值班` : `L${m.tier} on duty`}: ${m.recipients.map((r) => esc(r.name)).join(', ')}`);
  }
  return lines.join('\n');
}

/** The JSON body of the generic webhook: everything, machine-readable. */
export function genericPayload(m: NotificationMessage): Record<string, unknown> {
  return {
    type: 'patrol.notification',
    version: 1,
    messageId: m.id,
    customer: { id: m.customerId, name: m.customerName },
    host: { id: m.hostId, name: m.hostName },
    tier: m.tier,
    items: m.items,
    recipients: m.recipients.map((r) => ({ userId: r.userId, name: r.name, email: r.email })),
    createdAt: new Date(m.createdAt).toISOString(),
  };
}

function phones(m: NotificationMessage): string[] {
  return m.recipients.map((r) => r.phone).filter((p): p is string => !!p);
}

/** Incoming-webhook text formats of the chat tools (their documented minimal "text" messages). */
export function chatPayload(kind: ChatKind, m: NotificationMessage, lang: Lang): Record<string, unknown> {
  // Mentions of the on-duty people go in the tools' own fields (atMobiles, mentioned_mobile_list), never in the text.
  const text = textOf(m, lang, kind);
  switch (kind) {
    case 'wecom':
      return { msgtype: 'text', text: { content: text, mentioned_mobile_list: phones(m) } };
    case 'dingtalk':
      return { msgtype: 'text', text: { content: text }, at: { atMobiles: phones(m), isAtAll: false } };
    case 'feishu':
      return { msg_type: 'text', content: { text } };
    case 'slack':
      return { text };
  }
}
