import { sayer, type MessageText } from '../message-text.js';

/**
 * Texts of script.nagios. A plugin's own output is the plugin's words, not ours: it travels as `script.output`
 * with {text} and reads the same in both languages.
 */
export const SCRIPT_TEXTS = {
  'script.output': { en: '{text}', zh: '{text}' },
  'script.outputExit': { en: '{text} (exit code {code})', zh: '{text}（退出码 {code}）' },
  'script.silent': { en: '{name} exited with {code} and printed nothing', zh: '{name} 以退出码 {code} 结束，没有任何输出' },
  'script.timedOut': { en: '{name} timed out after {sec}s and was killed', zh: '{name} 运行超过 {sec} 秒，已被终止' },
  'script.cannotRun': { en: 'cannot run {command}: {error}', zh: '无法运行 {command}：{error}' },
} as const satisfies Record<string, MessageText>;

export const { say } = sayer(SCRIPT_TEXTS);
