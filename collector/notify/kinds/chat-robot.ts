import { z } from 'zod';
import { inertForChat, textOf, type Escape, type NotificationMessage } from '../message.js';
import { HttpUrlSchema, LangSchema, type ChannelKind, type SecretSpec } from './kind.js';
import { onDutyPhones, postJson, unmaskUrlIn, URL_FIELD, urlFromForm, urlSecretsToRepeat, viewUrl } from './url.js';

const ChatConfig = z.object({ url: HttpUrlSchema, lang: LangSchema });
export type ChatConfig = z.infer<typeof ChatConfig>;

/** What sets one chat robot apart from another: its text body, its markup, and how it signs with a stored secret. */
export interface ChatRobotSpec<K extends string> {
  kind: K;
  /** The chat's own markup in free text, escaped (breakTags by default: `<` broken). */
  markup?: Escape;
  /** The signing secret, for robots that sign their posts with one. */
  secret?: SecretSpec;
  /** The robot's documented minimal text message; the on-duty people's phones go in its own mention field, if any. */
  body(text: string, phones: string[]): Record<string, unknown>;
  /** Where and what to post when a secret is stored. */
  sign?(post: { url: string; body: Record<string, unknown> }, secret: string, now: number): { url: string; body: Record<string, unknown> };
}

/**
 * A chat tool's incoming-webhook robot (WeCom, DingTalk, Feishu, Slack): a URL that carries its token, a text
 * message with every free text made inert for that chat, and optionally a signature with a stored secret.
 */
export function chatRobot<K extends string>(spec: ChatRobotSpec<K>): ChannelKind<K, ChatConfig, z.input<typeof ChatConfig>> {
  const escape: Escape = (text) => inertForChat(text, spec.markup);
  const format = (m: NotificationMessage, lang: ChatConfig['lang']) => spec.body(textOf(m, lang, escape), onDutyPhones(m));
  return {
    kind: spec.kind,
    schema: z.object({ kind: z.literal(spec.kind), config: ChatConfig }),
    secret: spec.secret ?? null,
    form: 'url',
    fields: spec.secret ? [URL_FIELD, 'secret'] : [URL_FIELD],
    fromForm: urlFromForm,
    escape,
    format,
    send(channel, m, ctx) {
      const post = { url: channel.config.url, body: format(m, channel.config.lang) };
      const signed = channel.secret && spec.sign ? spec.sign(post, channel.secret, ctx.now) : post;
      return postJson(signed.url, signed.body, {}, ctx.timeoutMs);
    },
    view: viewUrl,
    unmask: unmaskUrlIn,
    secretsToRepeat: urlSecretsToRepeat,
  };
}
