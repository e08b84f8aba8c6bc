import type { Context } from 'hono';
import { z } from 'zod';
import type { DashEnv } from '../../page-kit/env.js';
import type { MessageKey, Translate } from '../../page-kit/i18n/index.js';
import type { Html } from '../../page-kit/layout.js';
import type { Escape, NotificationMessage } from '../message.js';

export type { Html };
export type MessageLang = 'zh' | 'en';
/** Every kind's config has the language its messages are written in. */
export const LangSchema = z.enum(['zh', 'en']).default('zh');
export const HttpUrlSchema = z.url({ protocol: /^https?$/ });

/** A stored channel as its kind's code sees it: the config and the stored secret (never shown to anyone). */
export interface KindChannel<C> {
  id: string;
  config: C;
  secret: string | null;
}

/** What a settings page knows of a channel: never the secret, only whether one is stored. */
export interface KindView<C> {
  id: string;
  config: C;
  hasSecret: boolean;
}

/** Connections a kind keeps between messages (an SMTP pool per channel config), closed with the sender. */
export interface ConnectionPool {
  get<T>(key: string, open: () => T, close: (connection: T) => void): T;
}

export interface SendContext {
  timeoutMs: number;
  now: number;
  pool: ConnectionPool;
}

/** What a PATCH sends next to the config: undefined keeps the stored secret, null clears it. */
export interface ChannelPatchParts {
  config?: Record<string, unknown>;
  secret?: string | null;
}

/** A PATCH value that cannot be right: a masked placeholder with nothing stored behind it. */
export class ChannelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelConfigError';
  }
}

/**
 * One control of a kind's settings form. The page renders it; the browser script (dashboard/browser/channel-edit.ts)
 * and the create form's parser (`fromForm`) read it by `name`. Labels are i18n keys, so a kind is shown in zh and en.
 */
export interface SettingsField<C> {
  name: string;
  label: MessageKey;
  input: 'text' | 'url' | 'number' | 'password' | 'checkbox' | 'select';
  required?: boolean;
  min?: number;
  max?: number;
  placeholder?: string;
  autocomplete?: string;
  /** A select's options: value and the text shown (protocol names, the same in every language). */
  options?: readonly (readonly [value: string, text: string])[];
  /** The value on a new channel's form. */
  initial?: string | boolean;
  /** The value on the edit page, from the stored config (as list/get show it: tokens masked). */
  value(config: C): string | boolean;
  /** A note under the field on the edit page. */
  hint?: MessageKey;
}

/** What a kind's `secret` is and how the pages speak of it (the value itself is never put into a page). */
export interface SecretSpec {
  /** The form control of a new secret and the "remove it" checkbox. */
  field: 'password' | 'secret';
  clearField: 'clearPassword' | 'clearSecret';
  /** The element saying whether one is stored (tests and the page script find it by id). */
  stateId: 'password-state' | 'secret-state';
  createLabel: MessageKey;
  newLabel: MessageKey;
  stored: MessageKey;
  none: MessageKey;
  clear: MessageKey;
}

/**
 * One kind of notification channel, whole: its stored config, which part is secret, how it formats and sends a
 * message, what the API shows of it, and its settings form. Adding a kind is one file in this folder exporting
 * this and its line in kinds/index.ts; the store (channels.ts), the sender (senders.ts) and the settings pages
 * only call these.
 */
export interface ChannelKind<K extends string, C extends { lang: MessageLang }, I = unknown> {
  kind: K;
  /** `{ kind, config }` as stored and as the API takes it. */
  schema: z.ZodObject<{ kind: z.ZodLiteral<K>; config: z.ZodType<C, I> }>;
  secret: SecretSpec | null;
  /**
   * Its settings: 'url' kinds share one create form (a kind select and the URL); 'own' kinds get a form of their
   * own from `fields`. The edit page renders `fields`, with 'secret' marking where the secret's controls go.
   */
  form: 'url' | 'own';
  fields: readonly (SettingsField<C> | 'secret')[];
  /** The create form's values as `{ config, secret }` for ChannelInputSchema (which checks them). */
  fromForm(form: Record<string, string>): { config: Record<string, unknown>; secret?: string | null };
  /** A short note on the channel list (the SMTP server), never a secret. */
  listNote?(config: C): string;
  /** How free text is made inert in this kind's messages (a chat's mentions and links); none: as it is. */
  escape?: Escape;
  /** The message in this kind's format: the body it posts, or a mail's subject and text. */
  format(m: NotificationMessage, lang: MessageLang): Record<string, unknown>;
  /** Deliver one message; a thrown error's message goes into the delivery log. */
  send(channel: KindChannel<C>, m: NotificationMessage, ctx: SendContext): Promise<void>;
  /** The config as list/get show it: token-bearing parts masked. */
  view(config: C): C;
  /** The config keys a PATCH sends, with parts still masked as view() showed them filled in from the stored config. */
  unmask(sent: Record<string, unknown>, stored: C): Record<string, unknown>;
  /**
   * What a PATCH that changes where the channel delivers must give again, or nothing: stored secrets (password,
   * signing secret, header tokens, URL tokens) are never sent to a new destination.
   */
  secretsToRepeat(current: KindChannel<C>, next: C, patch: ChannelPatchParts): string[];
  /** A part of the edit page of its own, below the form (a webhook's write-only headers). */
  editSection?(c: Context<DashEnv>, ch: KindView<C>): Html;
}

export type { Translate };
