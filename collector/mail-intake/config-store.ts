import { z } from 'zod';
import type { Db } from '../db/database.js';
import { secretBoxOf } from '../auth/secret-box.js';

/** The support mailbox the collector reads cases from. The password is sealed (secret-box.ts) and never returned. */
export const MailIntakeConfigSchema = z.object({
  enabled: z.boolean().default(false),
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535).default(993),
  /** true = implicit TLS (993); false = plain, upgraded with STARTTLS when the server offers it. */
  secure: z.boolean().default(true),
  /** Refuse a server certificate that does not verify (on unless an admin knowingly turns it off). */
  tlsRejectUnauthorized: z.boolean().default(true),
  /** With secure false: STARTTLS is required before the password is sent (off only for a server known to speak plain IMAP). */
  requireTls: z.boolean().default(true),
  user: z.string().min(1).max(320),
  mailbox: z.string().min(1).max(200).default('INBOX'),
  /** After a message is stored it is flagged \Seen; with this set it is also moved there (created if missing). */
  processedMailbox: z.string().min(1).max(200).nullable().default(null),
  pollEveryMs: z.number().int().min(5_000).max(3_600_000).default(60_000),
  /** An attachment larger than this is not kept (the case says so). */
  maxFileBytes: z.number().int().min(1024).max(100 * 1024 * 1024).default(10 * 1024 * 1024),
  /** A whole message larger than this is not downloaded: it goes to triage with its headers only. */
  maxMailBytes: z.number().int().min(4096).max(200 * 1024 * 1024).default(25 * 1024 * 1024),
});
export type MailIntakeConfig = z.infer<typeof MailIntakeConfigSchema>;

export const MailIntakeConfigInput = MailIntakeConfigSchema.extend({
  /** Given: replaces the stored password; left out: keeps it; null: clears it. */
  password: z.string().max(1000).nullable().optional(),
});

export type MailIntakeView = MailIntakeConfig & { hasPassword: boolean; updatedAt: number };

const PASSWORD_CONTEXT = 'mail_intake_config.password';

export function getMailIntakeConfig(db: Db): (MailIntakeView & { password: string | null }) | undefined {
  const r = db.prepare('SELECT config, password, updated_at AS updatedAt FROM mail_intake_config WHERE id = 1').get() as { config: string; password: string | null; updatedAt: number } | undefined;
  if (!r) return undefined;
  const config = MailIntakeConfigSchema.parse(JSON.parse(r.config));
  return { ...config, hasPassword: r.password !== null, updatedAt: r.updatedAt, password: secretBoxOf(db).openNullable(r.password, PASSWORD_CONTEXT) };
}

export function viewMailIntakeConfig(db: Db): MailIntakeView | undefined {
  const c = getMailIntakeConfig(db);
  if (!c) return undefined;
  const { password: _password, ...view } = c;
  return view;
}

export function setMailIntakeConfig(db: Db, input: z.input<typeof MailIntakeConfigInput>, now: number): MailIntakeView {
  const { password, ...rest } = MailIntakeConfigInput.parse(input);
  const config = MailIntakeConfigSchema.parse(rest);
  const stored = db.prepare('SELECT password FROM mail_intake_config WHERE id = 1').get() as { password: string | null } | undefined;
  const sealed = password === undefined ? (stored?.password ?? null) : password === null ? null : secretBoxOf(db).seal(password, PASSWORD_CONTEXT);
  db.prepare(
    `INSERT INTO mail_intake_config (id, config, password, updated_at) VALUES (1, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET config = excluded.config, password = excluded.password, updated_at = excluded.updated_at`,
  ).run(JSON.stringify(config), sealed, now);
  return viewMailIntakeConfig(db)!;
}
