import type { CheckMessage } from '../shared/check-result.js';
import { COLLECTOR_TEXTS } from './collector-messages.js';
import { DATABASE_TEXTS } from './database/messages.js';
import { REFUSAL_TEXTS } from './exec/refusal.js';
import { renderWith, type Lang, type MessageText } from './message-text.js';
import { NETWORK_TEXTS } from './network/messages.js';
import { RUN_TEXTS } from './run-messages.js';
import { SCRIPT_TEXTS } from './script/messages.js';
import { SYSTEM_TEXTS } from './system/messages.js';

export type { Lang } from './message-text.js';

/** Every family's texts, by family: the registry renders any of them, and a test holds each to zh + en. */
export const MESSAGE_FAMILIES: Readonly<Record<string, Readonly<Record<string, MessageText>>>> = {
  system: SYSTEM_TEXTS,
  network: NETWORK_TEXTS,
  database: DATABASE_TEXTS,
  script: SCRIPT_TEXTS,
  refusal: REFUSAL_TEXTS,
  run: RUN_TEXTS,
  collector: COLLECTOR_TEXTS,
};

const ALL_TEXTS: ReadonlyMap<string, MessageText> = new Map(Object.values(MESSAGE_FAMILIES).flatMap((t) => Object.entries(t)));

export function messageText(key: string): MessageText | undefined {
  return ALL_TEXTS.get(key);
}

/**
 * A check's result in a language: its message rendered, or `fallbackSummary` (the English sentence the check
 * sent) when there is no message, its key is unknown (an agent newer than this collector) or a value is missing.
 * Values come from agents: the result is plain text, and callers escape it as they escape any check output.
 */
export function renderCheckMessage(lang: Lang, message: CheckMessage | undefined | null, fallbackSummary: string): string {
  if (!message) return fallbackSummary;
  return renderWith(messageText, lang, message) ?? fallbackSummary;
}
