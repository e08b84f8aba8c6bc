import nodemailer, { type Transporter } from 'nodemailer';
import { z } from 'zod';
import { subjectOf, textOf, type NotificationMessage } from '../message.js';
import { LangSchema, type ChannelKind, type KindChannel, type SecretSpec } from './kind.js';

/** SMTP: to a fixed list and/or the on-duty people's addresses; the channel's secret is the SMTP password. */
const Config = z.object({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535).default(587),
  /** true = implicit TLS (465); false = plain, upgraded with STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  user: z.string().max(320).optional(),
  from: z.string().min(3).max(320),
  to: z.array(z.email()).default([]),
  /** Also mail the on-duty people the message is for (their user contact e-mail). */
  notifyOnDuty: z.boolean().default(true),
  tlsRejectUnauthorized: z.boolean().default(true),
  /**
   * Never talk to the server in plaintext when secure is false: STARTTLS is issued even if the server does
   * not advertise it, and the send fails (before AUTH, so the password is never sent) if the upgrade fails.
   * On unless turned off: a relay that only speaks plain SMTP must be allowed by an admin, knowingly.
   */
  requireTls: z.boolean().default(true),
  lang: LangSchema,
});
export type EmailConfig = z.infer<typeof Config>;

/** Mail recipients: the channel's fixed list plus the on-duty people's addresses. */
export function mailRecipients(channel: { config: EmailConfig }, m: NotificationMessage): string[] {
  const onDuty = channel.config.notifyOnDuty ? m.recipients.map((r) => r.email).filter((e): e is string => !!e) : [];
  return [...new Set([...channel.config.to, ...onDuty])];
}

/**
 * nodemailer reports a refused certificate as just "self-signed certificate" and a failed required STARTTLS
 * as a bare protocol error: say which server and which setting it is about in the delivery log. Other errors
 * pass through unchanged. Nothing here adds the password (nodemailer's messages do not carry it).
 */
export function explainMailError(err: unknown, config: EmailConfig): unknown {
  if (!(err instanceof Error)) return err;
  const e = err as Error & { code?: string; originalCode?: string };
  const server = `${config.host}:${config.port}`;
  const tlsCode = e.originalCode ?? e.code ?? '';
  if (/CERT|SIGNATURE|ISSUER/.test(tlsCode)) {
    return new Error(`TLS certificate of SMTP server ${server} rejected: ${e.message} (${tlsCode}); nothing was sent (tlsRejectUnauthorized is on)`, { cause: err });
  }
  if (e.code === 'ETLS' && config.requireTls && !config.secure) {
    return new Error(`SMTP server ${server} did not start TLS and requireTls is on: nothing was sent (${e.message})`, { cause: err });
  }
  return err;
}

/** Keyed by the whole config so an edited channel gets a fresh connection pool. */
export const smtpPoolKey = (channel: KindChannel<EmailConfig>) => `${channel.id}:${JSON.stringify(channel.config)}:${channel.secret ?? ''}`;

/** An SMTP connection for the channel's server, with its TLS settings and the stored password. */
export function smtpTransport(channel: KindChannel<EmailConfig>, timeoutMs: number): Transporter {
  const c = channel.config;
  return nodemailer.createTransport({
    host: c.host,
    port: c.port,
    secure: c.secure,
    requireTLS: c.requireTls,
    auth: c.user ? { user: c.user, pass: channel.secret ?? '' } : undefined,
    tls: { rejectUnauthorized: c.tlsRejectUnauthorized },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
}

const checkbox = z.preprocess((v) => v === 'on' || v === '1' || v === 'true', z.boolean());
/** The create form as posted; the password goes to the channel's secret and is never put back into a page. */
const Form = z.object({
  host: z.string().trim().min(1).max(255),
  port: z.coerce.number().int().min(1).max(65535).default(587),
  security: z.enum(['starttls', 'tls']).default('starttls'),
  user: z.string().trim().max(320).default(''),
  password: z.string().max(1000).default(''),
  from: z.string().trim().min(3).max(320),
  to: z.string().max(4000).default(''),
  notifyOnDuty: checkbox,
  verifyTls: checkbox,
  requireTls: checkbox,
  lang: z.enum(['zh', 'en']).default('zh'),
});

const PASSWORD: SecretSpec = {
  field: 'password',
  clearField: 'clearPassword',
  stateId: 'password-state',
  createLabel: 'login.password',
  newLabel: 'settings.newPassword',
  stored: 'settings.passwordStored',
  none: 'settings.noPassword',
  clear: 'settings.clearPassword',
};

export const email: ChannelKind<'email', EmailConfig, z.input<typeof Config>> = {
  kind: 'email',
  schema: z.object({ kind: z.literal('email'), config: Config }),
  secret: PASSWORD,
  form: 'own',
  fields: [
    { name: 'host', label: 'settings.smtpHost', input: 'text', required: true, value: (k) => k.host },
    { name: 'port', label: 'checks.port', input: 'number', min: 1, max: 65535, initial: '587', value: (k) => String(k.port) },
    {
      name: 'security',
      label: 'settings.smtpSecurity',
      input: 'select',
      options: [
        ['starttls', 'STARTTLS (587, 25)'],
        ['tls', 'TLS (465)'],
      ],
      value: (k) => (k.secure ? 'tls' : 'starttls'),
    },
    { name: 'user', label: 'login.username', input: 'text', autocomplete: 'off', value: (k) => k.user ?? '' },
    'secret',
    { name: 'from', label: 'settings.mailFrom', input: 'text', required: true, placeholder: 'patrol@example.com', value: (k) => k.from },
    { name: 'to', label: 'settings.mailTo', input: 'text', placeholder: 'ops@example.com, noc@example.com', value: (k) => k.to.join(', ') },
    { name: 'notifyOnDuty', label: 'settings.notifyOnDuty', input: 'checkbox', initial: true, value: (k) => k.notifyOnDuty },
    { name: 'verifyTls', label: 'settings.verifyTls', input: 'checkbox', initial: true, value: (k) => k.tlsRejectUnauthorized },
    { name: 'requireTls', label: 'settings.requireTls', input: 'checkbox', initial: true, value: (k) => k.requireTls },
  ],
  fromForm(form) {
    const f = Form.parse(form);
    return {
      secret: f.password || null,
      config: {
        host: f.host,
        port: f.port,
        secure: f.security === 'tls',
        user: f.user || undefined,
        from: f.from,
        to: f.to.split(/[,;\s]+/).map((s) => s.trim()).filter(Boolean),
        notifyOnDuty: f.notifyOnDuty,
        tlsRejectUnauthorized: f.verifyTls,
        requireTls: f.requireTls,
        lang: f.lang,
      },
    };
  },
  listNote: (k) => `${k.host}:${k.port} ${k.user ?? ''}`,
  format: (m, lang) => ({ subject: subjectOf(m, lang), text: textOf(m, lang) }),
  async send(channel, m, ctx) {
    const to = mailRecipients(channel, m);
    if (to.length === 0) throw new Error('no recipient address: set "to" or give the on-duty users an e-mail');
    const transport = ctx.pool.get(smtpPoolKey(channel), () => smtpTransport(channel, ctx.timeoutMs), (t) => t.close());
    try {
      await transport.sendMail({ from: channel.config.from, to, subject: subjectOf(m, channel.config.lang), text: textOf(m, channel.config.lang) });
    } catch (err) {
      throw explainMailError(err, channel.config);
    }
  },
  view: (config) => config,
  unmask: (sent) => sent,
  /**
   * Another server (host, port, TLS mode) or other recipients, or switching off requireTls or certificate
   * checks (the password could then be read on the way): the stored password must be given again.
   */
  secretsToRepeat(current, next, patch) {
    const a = current.config;
    const moved =
      a.host !== next.host ||
      a.port !== next.port ||
      a.secure !== next.secure ||
      (a.requireTls && !next.requireTls) ||
      (a.tlsRejectUnauthorized && !next.tlsRejectUnauthorized) ||
      [...next.to].sort().join(',') !== [...a.to].sort().join(',');
    return moved && current.secret !== null && patch.secret === undefined ? ['the SMTP password (`secret`)'] : [];
  },
};
