import type { ImapFlow } from 'imapflow';
import { imapClient } from './imap-client.js';
import type { ParsedMail } from 'mailparser';
import type { Db } from '../db/database.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { getMailIntakeConfig, type MailIntakeConfig } from './config-store.js';
import { alreadyTaken, markFlagged, takeMail, unflagged, type IncomingMail, type IntakeOutcome } from './intake.js';
import { ConcurrencyLimit } from '../../shared/concurrency-limit.js';

/** At most this many messages per pass: a flooded mailbox is worked off over several ticks, not in one long stall. */
const MAX_PER_PASS = 100;

export interface PollSummary {
  taken: IntakeOutcome[];
  flagged: number;
}

function automatic(parsed: ParsedMail): boolean {
  const auto = String(parsed.headers.get('auto-submitted') ?? '').toLowerCase();
  const precedence = String(parsed.headers.get('precedence') ?? '').toLowerCase();
  return (auto !== '' && auto !== 'no') || ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence);
}

/**
 * Reads the support mailbox over IMAP on the collector's tick: every unseen message is stored (case, comment or
 * triage, see intake.ts) and only then flagged \Seen (and moved, when configured). The UID is remembered with what
 * was stored, so a crash between the two never stores a message twice; a crash before the store loses nothing.
 */
export class MailPoller {
  private readonly log: Logger;
  private nextAt = 0;
  /** One pass at a time: a call that comes while a pass runs waits its turn, so nothing is taken up twice. */
  private readonly oneAtATime = new ConcurrencyLimit(1);

  constructor(private readonly opts: { db: Db; dataDir: string; log?: Logger }) {
    this.log = opts.log ?? createLogger('mail-intake.poller');
  }

  /** Poll when due (the configured interval); nothing when mail intake is off or not configured. */
  async tick(now: number): Promise<void> {
    const config = getMailIntakeConfig(this.opts.db);
    if (!config?.enabled || now < this.nextAt) return;
    this.nextAt = now + config.pollEveryMs;
    await this.pollOnce(now).catch((err: unknown) => this.log.error({ err, host: config.host, mailbox: config.mailbox }, 'reading the support mailbox failed; next try at the next interval'));
  }

  /** One pass now, whatever the interval (tests, the settings page's "check now"). */
  async pollOnce(now: number): Promise<PollSummary | undefined> {
    return this.oneAtATime.run(() => this.pass(now));
  }

  private async pass(now: number): Promise<PollSummary | undefined> {
    const config = getMailIntakeConfig(this.opts.db);
    if (!config) return undefined;
    const client = await imapClient(config);
    // A dropped connection is reported here as well as by the command that was running.
    client.on('error', (err: Error) => this.log.warn({ err: err.message }, 'IMAP connection error'));
    await client.connect();
    const summary: PollSummary = { taken: [], flagged: 0 };
    try {
      const lock = await client.getMailboxLock(config.mailbox);
      try {
        const mailbox = client.mailbox;
        if (!mailbox) throw new Error(`mailbox ${config.mailbox} did not open`);
        const uidValidity = String(mailbox.uidValidity);
        // Stored before a crash but never flagged: tell the mailbox now.
        for (const uid of unflagged(this.opts.db, config.mailbox, uidValidity)) summary.flagged += await this.flag(client, config, uidValidity, uid, now);
        const unseen = ((await client.search({ seen: false }, { uid: true })) || []).sort((a, b) => a - b).slice(0, MAX_PER_PASS);
        for (const uid of unseen) {
          const key = { mailbox: config.mailbox, uidValidity, uid };
          const outcome = alreadyTaken(this.opts.db, key) ?? takeMail(this.opts.db, this.opts.dataDir, config, await this.read(client, config, key), now);
          if (!outcome.duplicate) summary.taken.push(outcome);
          summary.flagged += await this.flag(client, config, uidValidity, uid, now);
        }
      } finally {
        lock.release();
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
    if (summary.taken.length) this.log.info({ taken: summary.taken.length, flagged: summary.flagged }, 'support mailbox read');
    return summary;
  }

  private async read(client: ImapFlow, config: MailIntakeConfig, key: IncomingMail['key']): Promise<IncomingMail> {
    const head = await client.fetchOne(String(key.uid), { size: true, envelope: true }, { uid: true });
    const size = head ? (head.size ?? 0) : 0;
    if (head && size > config.maxMailBytes) {
      const from = head.envelope?.from?.[0];
      return {
        key,
        messageId: head.envelope?.messageId ?? null,
        from: from?.address ? { address: from.address, name: from.name ?? '' } : null,
        subject: head.envelope?.subject ?? '',
        text: '',
        attachments: [],
        automatic: false,
        oversizeBytes: size,
      };
    }
    const msg = await client.fetchOne(String(key.uid), { source: true }, { uid: true });
    if (!msg || !msg.source) throw new Error(`message ${key.uid} vanished while being read`);
    const { simpleParser } = await import('mailparser'); // loaded with the first mail, as imapflow
    const parsed = await simpleParser(msg.source);
    const from = parsed.from?.value[0];
    return {
      key,
      messageId: parsed.messageId ?? null,
      from: from?.address ? { address: from.address, name: from.name ?? '' } : null,
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      attachments: parsed.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
      automatic: automatic(parsed),
    };
  }

  /** \Seen (and moved to the processed folder when configured), then remembered as told. */
  private async flag(client: ImapFlow, config: MailIntakeConfig, uidValidity: string, uid: number, now: number): Promise<number> {
    await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
    if (config.processedMailbox) {
      await client.mailboxCreate(config.processedMailbox).catch(() => undefined); // exists already: fine
      await client.messageMove(String(uid), config.processedMailbox, { uid: true });
    }
    markFlagged(this.opts.db, config.mailbox, uidValidity, [uid], now);
    return 1;
  }
}
