import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/database.js';

/**
 * Attachments of mails that became cases or comments, kept under the data folder: one file per attachment, named
 * by a random id and a sanitised form of the sender's file name (never a path of theirs), with limits per file and
 * per mail. What is not kept is named in the case, so nothing is lost without a word.
 */
export interface IncomingAttachment {
  filename: string | undefined;
  contentType: string;
  content: Buffer;
}

export interface StoredAttachment {
  id: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  path: string;
}

/** A file name safe to show and to store: no folders, no control or shell characters, at most 100 characters. */
export function sanitiseFilename(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/[^\p{L}\p{N}._ -]/gu, '_')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(-100);
  return cleaned || 'attachment';
}

export interface AttachmentOutcome {
  stored: StoredAttachment[];
  /** "name (N bytes): why" for each one not kept. */
  skipped: string[];
}

export function storeAttachments(
  db: Db,
  dataDir: string,
  owner: { ticketId: string | null; triageId: string | null; customerId: string | null },
  attachments: readonly IncomingAttachment[],
  limits: { maxFileBytes: number; maxMailBytes: number },
  now: number,
): AttachmentOutcome {
  const out: AttachmentOutcome = { stored: [], skipped: [] };
  const day = new Date(now).toISOString().slice(0, 10);
  const folder = join(dataDir, 'mail-attachments', day);
  let total = 0;
  for (const a of attachments) {
    const filename = sanitiseFilename(a.filename);
    const size = a.content.length;
    if (size > limits.maxFileBytes) {
      out.skipped.push(`${filename} (${size} bytes): larger than ${limits.maxFileBytes} bytes`);
      continue;
    }
    if (total + size > limits.maxMailBytes) {
      out.skipped.push(`${filename} (${size} bytes): the mail's attachments together exceed ${limits.maxMailBytes} bytes`);
      continue;
    }
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const id = randomUUID();
    const path = join(folder, `${id}-${filename}`);
    writeFileSync(path, a.content, { mode: 0o600 });
    total += size;
    db.prepare(
      'INSERT INTO mail_attachments (id, ticket_id, triage_id, customer_id, filename, content_type, size_bytes, path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(id, owner.ticketId, owner.triageId, owner.customerId, filename, a.contentType.slice(0, 200), size, path, now);
    out.stored.push({ id, filename, contentType: a.contentType, sizeBytes: size, path });
  }
  return out;
}

export function listAttachments(db: Db, owner: { ticketId?: string; triageId?: string }): StoredAttachment[] {
  return db
    .prepare(
      `SELECT id, filename, content_type AS contentType, size_bytes AS sizeBytes, path FROM mail_attachments
       WHERE (@ticketId IS NOT NULL AND ticket_id = @ticketId) OR (@triageId IS NOT NULL AND triage_id = @triageId) ORDER BY created_at, id`,
    )
    .all({ ticketId: owner.ticketId ?? null, triageId: owner.triageId ?? null }) as StoredAttachment[];
}

/** A triage mail assigned to a case: its attachments follow it. */
export function moveAttachmentsToTicket(db: Db, triageId: string, ticketId: string, customerId: string): void {
  db.prepare('UPDATE mail_attachments SET ticket_id = ?, customer_id = ? WHERE triage_id = ?').run(ticketId, customerId, triageId);
}
