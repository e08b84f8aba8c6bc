import type { Recipient } from '../tickets/contacts.js';
import type { NotificationItem, NotificationKind } from './outbox.js';

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

const KIND_LABEL: Record<Lang, Record<NotificationKind, string>> = {
  zh: { problem: '故障', recovery: '已恢复', escalation: '升级', reopen: '重新打开', severity: '级别升高' },
  en: { problem: 'PROBLEM', recovery: 'RECOVERED', escalation: 'ESCALATED', reopen: 'REOPENED', severity: 'SEVERITY RAISED' },
};

function itemLine(i: NotificationItem, lang: Lang): string {
  const kind = i.kind === 'escalation' ? `${KIND_LABEL[lang].escalation} L${i.tier}` : KIND_LABEL[lang][i.kind];
  const flap = i.flapping ? (lang === 'zh' ? ' [抖动]' : ' [flapping]') : '';
  return `[${i.severity}] ${i.number} ${kind}${flap}: ${i.title} (${i.status}) ${i.summary}`.trim();
}

export function subjectOf(m: NotificationMessage, lang: Lang): string {
  const first = m.items[0];
  if (m.items.length === 0) return lang === 'zh' ? '[Patrol] 测试消息' : '[Patrol] test message';
  if (m.items.length === 1 && first) {
    const kind = first.kind === 'escalation' ? `${KIND_LABEL[lang].escalation} L${first.tier}` : KIND_LABEL[lang][first.kind];
    return `[Patrol] [${first.severity}] ${first.number} ${kind}: ${first.title}`;
  }
  return lang === 'zh'
    ? `[Patrol] ${m.customerName} / ${m.hostName}: ${m.items.length} 条工单通知`
    : `[Patrol] ${m.customerName} / ${m.hostName}: ${m.items.length} ticket updates`;
}

export function textOf(m: NotificationMessage, lang: Lang): string {
  const head = lang === 'zh' ? `客户 ${m.customerName} 主机 ${m.hostName}` : `Customer ${m.customerName}, host ${m.hostName}`;
  const lines = [subjectOf(m, lang), head, ...m.items.map((i) => itemLine(i, lang))];
  if (m.recipients.length > 0) {
    lines.push(`${lang === 'zh' ? `L${m.tier} 值班` : `L${m.tier} on duty`}: ${m.recipients.map((r) => r.name).join(', ')}`);
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
export function chatPayload(kind: 'wecom' | 'dingtalk' | 'feishu' | 'slack', m: NotificationMessage, lang: Lang): Record<string, unknown> {
  const text = textOf(m, lang);
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
