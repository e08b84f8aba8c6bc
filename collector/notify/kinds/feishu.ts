import { createHmac } from 'node:crypto';
import { chatRobot } from './chat-robot.js';
import { SIGNING_SECRET } from './url.js';

/** Feishu / Lark (飞书) robot: the token is the URL's last path segment; optionally signed with the channel's secret. */
export const feishu = chatRobot({
  kind: 'feishu',
  secret: SIGNING_SECRET,
  body: (text) => ({ msg_type: 'text', content: { text } }),
  /** HMAC-SHA256 keyed with "ts\nsecret" over an empty message, ts in seconds, in the body. */
  sign({ url, body }, secret, now) {
    const timestamp = String(Math.floor(now / 1000));
    return { url, body: { timestamp, sign: createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64'), ...body } };
  },
});
