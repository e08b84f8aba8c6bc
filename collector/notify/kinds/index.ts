import { z } from 'zod';
import type { NotificationMessage } from '../message.js';
import type { ChannelKind, MessageLang } from './kind.js';
import { webhook } from './webhook.js';
import { wecom } from './wecom.js';
import { dingtalk } from './dingtalk.js';
import { feishu } from './feishu.js';
import { slack } from './slack.js';
import { email } from './email.js';

/** Every kind of notification channel, in the order the settings page offers them: a new kind is its file and one entry here. */
const KINDS = [webhook, wecom, dingtalk, feishu, slack, email] as const;

/** Each kind's schema, as a tuple (a mapped type keeps a tuple only through a type parameter). */
type SchemasOf<T extends readonly unknown[]> = { -readonly [I in keyof T]: T[I] extends { schema: infer S } ? S : never };
/** `{ kind, config }` of any kind, told apart by `kind`. */
export const ChannelConfigSchema = z.discriminatedUnion('kind', KINDS.map((k) => k.schema) as unknown as SchemasOf<typeof KINDS>);
export type ChannelConfig = z.infer<typeof ChannelConfigSchema>;
export type ChannelKindName = ChannelConfig['kind'];
/** A kind's code as the store, sender and pages hold it: for a channel of that kind, whose config its schema checked. */
export type AnyChannelKind = ChannelKind<ChannelKindName, ChannelConfig['config']>;

/** The one place where the kinds, each typed with its own config, are held as kinds of any channel. */
export const CHANNEL_KINDS: readonly AnyChannelKind[] = KINDS as unknown as readonly AnyChannelKind[];

export function kindOf(kind: ChannelKindName): AnyChannelKind {
  const k = CHANNEL_KINDS.find((x) => x.kind === kind);
  if (!k) throw new Error(`no channel kind ${kind}`);
  return k;
}

/** The kinds whose settings are a URL: one create form with a kind select. */
export const URL_KINDS: readonly ChannelKindName[] = CHANNEL_KINDS.filter((k) => k.form === 'url').map((k) => k.kind);

/** A chat robot's message body, in its kind's format. */
export function chatPayload(kind: ChannelKindName, m: NotificationMessage, lang: MessageLang): Record<string, unknown> {
  return kindOf(kind).format(m, lang);
}

/** Free text as a kind's messages carry it (made inert for a chat; as it is for webhooks and e-mail). */
export function chatSafe(kind: ChannelKindName, text: string): string {
  const escape = kindOf(kind).escape;
  return escape ? escape(text) : text;
}

export { ChannelConfigError, type ChannelKind, type KindChannel, type KindView, type SecretSpec, type SettingsField } from './kind.js';
export { maskUrl, unmaskUrl, URL_MASK } from './url.js';
export { genericPayload, STORED_HEADER } from './webhook.js';
export { mailRecipients } from './email.js';
