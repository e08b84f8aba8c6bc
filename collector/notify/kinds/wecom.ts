import { chatRobot } from './chat-robot.js';

/** WeCom (企业微信) group robot: `?key=` in the URL; the on-duty people are mentioned by phone. */
export const wecom = chatRobot({
  kind: 'wecom',
  body: (text, phones) => ({ msgtype: 'text', text: { content: text, mentioned_mobile_list: phones } }),
});
