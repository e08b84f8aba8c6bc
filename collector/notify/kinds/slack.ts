import { chatRobot } from './chat-robot.js';

/**
 * Slack incoming webhook: the token is the URL's last path segment. `&` `<` `>` escaped as Slack asks, which
 * kills `<!channel>`, `<!here>`, `<@U...>` and `<url|text>` in free text.
 */
export const slack = chatRobot({
  kind: 'slack',
  markup: (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  body: (text) => ({ text }),
});
