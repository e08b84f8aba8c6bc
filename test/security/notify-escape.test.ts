import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { textOf, type NotificationMessage } from '../../collector/notify/message.js';
import { chatPayload, chatSafe, genericPayload } from '../../collector/notify/kinds/index.js';
import { ChannelSender } from '../../collector/notify/senders.js';
import type { ChannelWithSecret } from '../../collector/notify/channels.js';
import type { NotificationItem } from '../../collector/notify/outbox.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/**
 * Issue 11: a fake CRITICAL pages the on-call engineer "with its text; Slack/DingTalk mentions are not escaped".
 * A summary and a host name come from the agent (root on a customer host): in a chat they must never mention
 * anyone or carry a link of their own, and must still read the same.
 */
const EVIL = '<!channel> @all [x](http://evil) <at user_id="all">所有人</at> & <@U024BE7LH>\nL1 on duty: nobody';
const WJ = '\u2060';

function message(): NotificationMessage {
  const item: NotificationItem = {
    ticketId: 't1',
    number: 'INC-2026-000042',
    kind: 'problem',
    severity: 'P1',
    state: 'open',
    status: 'CRITICAL',
    title: 'system.disk',
    summary: EVIL,
    hostName: '<!here|db01>',
    tier: 1,
    flapping: false,
    at: Date.UTC(2026, 11, 4),
  };
  return {
    id: 'm1',
    customerId: 'acme',
    customerName: 'ACME',
    hostId: 'h1',
    hostName: '<!here|db01>',
    tier: 1,
    items: [item],
    recipients: [{ userId: 'u1', name: 'Lin', email: 'lin@acme.test', phone: '13800000000' }],
    createdAt: Date.UTC(2026, 11, 4),
  };
}

/** What a chat would still turn into a mention or a link, per its markup. */
const LIVE_MARKUP = {
  slack: /<[!@#]|<https?:|<[^>]*\|/,
  markdown: /\]\(|https?:\/\/|@(?:all|所有人|channel|here|everyone)|<at\b|<@/i,
};

describe('notification texts are escaped for each chat', () => {
  test('Slack: & < > escaped as Slack asks, so <!channel>, <!here|...>, <@U...> and links are plain text; nothing else lost', () => {
    const text = (chatPayload('slack', message(), 'en') as { text: string }).text;
    expect(text).not.toMatch(LIVE_MARKUP.slack);
    expect(text).not.toMatch(LIVE_MARKUP.markdown);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('&lt;!here|db01&gt;');
    expect(text).toContain(`&amp; &lt;@${WJ}U024BE7LH&gt;`);
    // The summary stays one line: no line of the agent's can pass for ours.
    expect(text.split('\n').filter((l) => l.startsWith('L1 on duty'))).toEqual(['L1 on duty: Lin']);
    // A reader sees the same characters: only word joiners were added.
    expect(text.replaceAll(WJ, '')).toContain('@all [x](http://evil)');
  });

  for (const kind of ['dingtalk', 'feishu', 'wecom'] as const) {
    test(`${kind}: no @mention, <at>, markdown link or URL survives in the text; mentions go only in the tool's own field`, () => {
      const body = chatPayload(kind, message(), 'zh') as { text?: { content: string }; content?: { text: string }; at?: unknown };
      const text = body.text?.content ?? body.content?.text ?? '';
      expect(text).toContain('INC-2026-000042');
      expect(text).not.toMatch(LIVE_MARKUP.markdown);
      expect(text.replaceAll(WJ, '')).toContain(EVIL.replace('\n', ' '));
      if (kind === 'dingtalk') expect(body.at).toEqual({ atMobiles: ['13800000000'], isAtAll: false });
    });
  }

  test('e-mail keeps the text as it was (plain text); the generic webhook keeps it as data', () => {
    expect(textOf(message(), 'en')).toContain(EVIL);
    expect(JSON.stringify(genericPayload(message()))).toContain(JSON.stringify(EVIL).slice(1, -1));
  });

  test('text without markup is left alone (Chinese, paths, numbers)', () => {
    for (const kind of ['slack', 'dingtalk', 'feishu', 'wecom'] as const) expect(chatSafe(kind, '磁盘 / 使用率 96.0% (阈值 90%)')).toBe('磁盘 / 使用率 96.0% (阈值 90%)');
  });
});

describe('what the chat tools receive over HTTP', () => {
  let hook: WebhookReceiver;
  const sender = new ChannelSender();
  beforeAll(async () => {
    hook = await startWebhookReceiver();
  });
  afterAll(async () => {
    sender.close();
    await hook?.stop();
  });

  test('Slack and DingTalk robots get the escaped text', async () => {
    const channel = (kind: 'slack' | 'dingtalk') =>
      ({ id: kind, kind, customerId: 'acme', name: kind, enabled: true, hasSecret: false, hasPassword: false, createdAt: 0, config: { url: `${hook.url}/${kind}`, lang: 'en' }, secret: null }) as ChannelWithSecret;
    await sender.send(channel('slack'), message(), { timeoutMs: 5000, now: Date.now() });
    await sender.send(channel('dingtalk'), message(), { timeoutMs: 5000, now: Date.now() });
    const slack = hook.received.find((r) => r.path === '/slack')!.body as { text: string };
    const ding = hook.received.find((r) => r.path.startsWith('/dingtalk'))!.body as { text: { content: string } };
    expect(slack.text).not.toMatch(LIVE_MARKUP.slack);
    expect(slack.text).toContain('&lt;!channel&gt;');
    expect(ding.text.content).not.toMatch(LIVE_MARKUP.markdown);
    expect(ding.text.content).toContain(`@${WJ}all [x]${WJ}(http:${WJ}//evil)`);
  });
});
