import { createHmac } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { ChannelWithSecret } from './channels.js';
import { chatPayload, genericPayload, subjectOf, textOf, type NotificationMessage } from './message.js';

export interface SendOptions {
  timeoutMs: number;
  now: number;
}

/** POST JSON; non-2xx or a chat tool's error code in the body ({errcode} / {code}) is a failure. */
async function postJson(url: string, body: unknown, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  if (text.startsWith('{')) {
    let parsed: { errcode?: unknown; code?: unknown; errmsg?: unknown; msg?: unknown } | undefined;
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      parsed = undefined; // a 2xx with a non-JSON body is a success for a generic receiver
    }
    const code = parsed?.errcode ?? parsed?.code;
    if (typeof code === 'number' && code !== 0) throw new Error(`receiver error ${code}: ${String(parsed?.errmsg ?? parsed?.msg ?? '')}`);
  }
}

/** DingTalk "加签": timestamp + HMAC-SHA256(secret, "ts\nsecret") in the query string. */
function dingtalkSignedUrl(url: string, secret: string, now: number): string {
  const sign = createHmac('sha256', secret).update(`${now}\n${secret}`).digest('base64');
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${now}&sign=${encodeURIComponent(sign)}`;
}

/** Feishu signature: HMAC-SHA256 keyed with "ts\nsecret" over an empty message, ts in seconds. */
function feishuSign(secret: string, now: number): { timestamp: string; sign: string } {
  const timestamp = String(Math.floor(now / 1000));
  return { timestamp, sign: createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64') };
}

/** Mail recipients: the channel's fixed list plus the on-duty people's addresses. */
export function mailRecipients(channel: Extract<ChannelWithSecret, { kind: 'email' }>, m: NotificationMessage): string[] {
  const onDuty = channel.config.notifyOnDuty ? m.recipients.map((r) => r.email).filter((e): e is string => !!e) : [];
  return [...new Set([...channel.config.to, ...onDuty])];
}

/**
 * nodemailer reports a refused certificate as just "self-signed certificate" and a failed required STARTTLS
 * as a bare protocol error: say which server and which setting it is about in the delivery log. Other errors
 * pass through unchanged. Nothing here adds the password (nodemailer's messages do not carry it).
 */
function explainMailError(err: unknown, channel: Extract<ChannelWithSecret, { kind: 'email' }>): unknown {
  if (!(err instanceof Error)) return err;
  const e = err as Error & { code?: string; originalCode?: string };
  const server = `${channel.config.host}:${channel.config.port}`;
  const tlsCode = e.originalCode ?? e.code ?? '';
  if (/CERT|SIGNATURE|ISSUER/.test(tlsCode)) {
    return new Error(`TLS certificate of SMTP server ${server} rejected: ${e.message} (${tlsCode}); nothing was sent (tlsRejectUnauthorized is on)`, { cause: err });
  }
  if (e.code === 'ETLS' && channel.config.requireTls && !channel.config.secure) {
    return new Error(`SMTP server ${server} did not start TLS and requireTls is on: nothing was sent (${e.message})`, { cause: err });
  }
  return err;
}

export class ChannelSender {
  private readonly transports = new Map<string, Transporter>();

  async send(channel: ChannelWithSecret, m: NotificationMessage, opts: SendOptions): Promise<void> {
    switch (channel.kind) {
      case 'webhook':
        return postJson(channel.config.url, genericPayload(m), channel.config.headers, opts.timeoutMs);
      case 'dingtalk': {
        const url = channel.secret ? dingtalkSignedUrl(channel.config.url, channel.secret, opts.now) : channel.config.url;
        return postJson(url, chatPayload('dingtalk', m, channel.config.lang), {}, opts.timeoutMs);
      }
      case 'feishu': {
        const body = chatPayload('feishu', m, channel.config.lang);
        return postJson(channel.config.url, channel.secret ? { ...feishuSign(channel.secret, opts.now), ...body } : body, {}, opts.timeoutMs);
      }
      case 'wecom':
      case 'slack':
        return postJson(channel.config.url, chatPayload(channel.kind, m, channel.config.lang), {}, opts.timeoutMs);
      case 'email': {
        const to = mailRecipients(channel, m);
        if (to.length === 0) throw new Error('no recipient address: set "to" or give the on-duty users an e-mail');
        try {
          await this.transport(channel, opts.timeoutMs).sendMail({
            from: channel.config.from,
            to,
            subject: subjectOf(m, channel.config.lang),
            text: textOf(m, channel.config.lang),
          });
        } catch (err) {
          throw explainMailError(err, channel);
        }
        return;
      }
    }
  }

  private transport(channel: Extract<ChannelWithSecret, { kind: 'email' }>, timeoutMs: number): Transporter {
    // Keyed by the whole config so an edited channel gets a fresh connection pool.
    const key = `${channel.id}:${JSON.stringify(channel.config)}:${channel.secret ?? ''}`;
    let t = this.transports.get(key);
    if (!t) {
      const c = channel.config;
      t = nodemailer.createTransport({
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
      this.transports.set(key, t);
    }
    return t;
  }

  close(): void {
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
  }
}
