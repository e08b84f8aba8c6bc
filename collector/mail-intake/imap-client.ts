import type { ImapFlow } from 'imapflow';
import type { MailIntakeConfig } from './config-store.js';

/** An IMAP client for the support mailbox as configured (TLS, STARTTLS required or not, certificate check). */
export async function imapClient(config: MailIntakeConfig & { password: string | null }, timeoutMs = 15_000): Promise<ImapFlow> {
  // Loaded when a mailbox is first read, not when the collector starts (most collectors have no support mailbox).
  const { ImapFlow } = await import('imapflow');
  return new ImapFlow({
    host: config.host,
    port: config.port,
    secure: config.secure,
    ...(config.secure ? {} : { doSTARTTLS: config.requireTls ? true : undefined }),
    tls: { rejectUnauthorized: config.tlsRejectUnauthorized },
    auth: { user: config.user, pass: config.password ?? '' },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: Math.max(timeoutMs, 60_000),
  });
}

export type ConnectionTest =
  | { ok: true; folders: string[]; folder: { name: string; found: boolean; messages: number | null; unseen: number | null }; tls: boolean }
  | { ok: false; error: string };

/**
 * The settings page's "test connection": log in with these settings and say what is there (the folders, and the
 * messages and unread ones in the folder the intake reads). Reads only: nothing is flagged or moved.
 */
export async function testImapConnection(config: MailIntakeConfig & { password: string | null }): Promise<ConnectionTest> {
  const client = await imapClient(config, 10_000);
  client.on('error', () => undefined); // reported by the command that fails
  try {
    await client.connect();
    const list = await client.list();
    const folders = list.map((m) => m.path).sort();
    const found = folders.includes(config.mailbox) || (config.mailbox.toUpperCase() === 'INBOX' && folders.some((f) => f.toUpperCase() === 'INBOX'));
    let messages: number | null = null;
    let unseen: number | null = null;
    if (found) {
      const s = await client.status(config.mailbox, { messages: true, unseen: true });
      if (s) {
        messages = s.messages ?? null;
        unseen = s.unseen ?? null;
      }
    }
    const tls = Boolean((client as unknown as { secureConnection?: boolean }).secureConnection);
    return { ok: true, folders, folder: { name: config.mailbox, found, messages, unseen }, tls };
  } catch (err) {
    const e = err as Error & { responseText?: string; authenticationFailed?: boolean; code?: string };
    const why = e.authenticationFailed ? `login refused: ${e.responseText ?? e.message}` : [e.code, e.responseText ?? e.message].filter(Boolean).join(' ');
    return { ok: false, error: why || String(err) };
  } finally {
    await client.logout().catch(() => client.close());
  }
}
