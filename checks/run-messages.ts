import { sayer, type MessageText } from './message-text.js';

/** What the runner says when a check did not give its own result (checks/run.ts): never run, or cut short. */
export const RUN_TEXTS = {
  'check.unknownType': { en: "unknown check type '{checkId}'", zh: '未知的检查类型“{checkId}”' },
  'check.notLoaded': { en: 'check code could not be loaded: {error}', zh: '无法加载检查代码：{error}' },
  'check.badParams': { en: 'bad parameters: {error}', zh: '参数有误：{error}' },
  'check.timedOut': { en: 'check timed out after {sec}s', zh: '检查超过 {sec} 秒未完成' },
  'check.failed': { en: 'check failed: {error}', zh: '检查出错：{error}' },
} as const satisfies Record<string, MessageText>;

export const { say } = sayer(RUN_TEXTS);
