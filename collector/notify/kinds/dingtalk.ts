import { createHmac } from 'node:crypto';
import { chatRobot } from './chat-robot.js';
import { SIGNING_SECRET } from './url.js';

/** DingTalk (钉钉) group robot: `?access_token=` in the URL, and optionally "加签" with the channel's secret. */
export const dingtalk = chatRobot({
  kind: 'dingtalk',
  secret: SIGNING_SECRET,
  body: (text, phones) => ({ msgtype: 'text', text: { content: text }, at: { atMobiles: phones, isAtAll: false } }),
  /** "加签": timestamp + HMAC-SHA256(secret, "ts\nsecret") in the query string. */
  sign({ url, body }, secret, now) {
    const sign = createHmac('sha256', secret).update(`${now}\n${secret}`).digest('base64');
    return { url: `${url}${url.includes('?') ? '&' : '?'}timestamp=${now}&sign=${encodeURIComponent(sign)}`, body };
  },
});
