import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { createLogger } from '../../shared/logger.js';

const log = createLogger('secret-box');

/** AES-256-GCM: a 32-byte key, the 12-byte nonce GCM is specified for, a 16-byte tag. */
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Marks a sealed value in a text column, so clear values stored before encryption can be told apart. */
const PREFIX = 'enc:v1:';

/** A sealed value that cannot be opened: wrong key file, another row's value, or damaged text. */
export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

/**
 * Encrypts the secrets the collector stores (channel secrets, SSH key passphrases, SNMP communities) with
 * one key held in a file beside the database, not in it: a copy of patrol.db alone (a stray backup, a
 * support upload) gives away no secret. Each value is bound to where it lives (`context`, e.g.
 * `notification_channels.secret:<id>`) as GCM additional data, so a sealed value copied into another row
 * does not open there.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /**
   * The key file's box, making the file (32 random bytes, mode 0600) if it does not exist. A file of any
   * other length is refused rather than replaced: a new key would make every stored secret unreadable.
   */
  static fromKeyFile(path: string): SecretBox {
    let key: Buffer;
    try {
      const fd = openSync(path, 'wx', 0o600);
      key = randomBytes(KEY_BYTES);
      try {
        writeSync(fd, key);
      } finally {
        closeSync(fd);
      }
      log.info({ keyFile: path }, 'secret key file made: back it up with the data folder, stored secrets cannot be read without it');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      key = readFileSync(path);
      if (key.length !== KEY_BYTES) {
        throw new SecretBoxError(`secret key file ${path} holds ${key.length} bytes, not ${KEY_BYTES}: restore it from a backup (stored secrets cannot be read without it)`);
      }
    }
    // A key file copied in by hand (a restore) may come with the copier's umask.
    if ((statSync(path).mode & 0o077) !== 0) {
      chmodSync(path, 0o600);
      log.warn({ keyFile: path }, 'secret key file was readable by others; set to 0600');
    }
    return new SecretBox(key);
  }

  /** A box with a fresh key that lives only in memory (an in-memory database for tests). */
  static ephemeral(): SecretBox {
    return new SecretBox(randomBytes(KEY_BYTES));
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The clear text of a sealed value; a value stored before encryption (no prefix) is returned as it is. */
  open(stored: string, context: string): string {
    if (!SecretBox.isSealed(stored)) return stored;
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError(`sealed value for ${context} is damaged`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError(`sealed value for ${context} does not open with this key file (another collector's key, or a value moved from another row)`);
    }
  }

  sealNullable(plain: string | null, context: string): string | null {
    return plain === null ? null : this.seal(plain, context);
  }

  openNullable(stored: string | null, context: string): string | null {
    return stored === null ? null : this.open(stored, context);
  }
}

/**
 * Each open database's box (attached by openDatabase from the key file beside it). Every store that reads or
 * writes a secret column already has the database handle, so the key travels with it instead of through
 * every caller.
 */
const boxes = new WeakMap<object, SecretBox>();

export function attachSecretBox(db: object, box: SecretBox): void {
  boxes.set(db, box);
}

export function secretBoxOf(db: object): SecretBox {
  const box = boxes.get(db);
  if (!box) throw new Error('this database was not opened with openDatabase(): no secret key attached');
  return box;
}
