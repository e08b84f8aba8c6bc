import { afterAll, describe, expect, test } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SecretBox, SecretBoxError } from '../../collector/auth/secret-box.js';
import { openDatabase, SECRET_KEY_FILE } from '../../collector/db/database.js';
import { createChannel, getChannelWithSecret, listChannels } from '../../collector/notify/channels.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('secret-box');
afterAll(() => dir.remove());
const mode = (p: string) => statSync(p).mode & 0o777;

describe('the secret box (AES-256-GCM with the key file beside the database)', () => {
  test('a first start makes a 32-byte key file 0600; the next start reads the same key', () => {
    const keyFile = join(dir.path, 'k1', 'secret.key');
    mkdirSync(join(dir.path, 'k1'));
    const box = SecretBox.fromKeyFile(keyFile);
    expect(readFileSync(keyFile)).toHaveLength(32);
    expect(mode(keyFile)).toBe(0o600);
    const sealed = box.seal('smtp-password-1', 'ctx:a');
    expect(sealed).toMatch(/^enc:v1:/);
    expect(sealed).not.toContain('smtp-password-1');
    expect(SecretBox.fromKeyFile(keyFile).open(sealed, 'ctx:a')).toBe('smtp-password-1');
  });

  test('a value opens only with its own key and in its own place; damage is an error, never garbage', () => {
    const box = SecretBox.ephemeral();
    const sealed = box.seal('signing-secret', 'notification_channels.secret:a');
    expect(() => box.open(sealed, 'notification_channels.secret:b')).toThrow(SecretBoxError);
    expect(() => SecretBox.ephemeral().open(sealed, 'notification_channels.secret:a')).toThrow(/does not open with this key file/);
    const flipped = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    expect(() => box.open(flipped, 'notification_channels.secret:a')).toThrow(SecretBoxError);
    // Two seals of one value differ (fresh nonce each time).
    expect(box.seal('x', 'c')).not.toBe(box.seal('x', 'c'));
    // A value stored before encryption reads as it is.
    expect(box.open('plain-old-value', 'c')).toBe('plain-old-value');
  });

  test('a key file of the wrong length is refused, not replaced; one restored with a loose mode is tightened', () => {
    const bad = join(dir.path, 'bad.key');
    writeFileSync(bad, 'short');
    expect(() => SecretBox.fromKeyFile(bad)).toThrow(/holds 5 bytes, not 32: restore it from a backup/);
    expect(readFileSync(bad, 'utf8')).toBe('short');
    const loose = join(dir.path, 'loose.key');
    writeFileSync(loose, Buffer.alloc(32, 7));
    chmodSync(loose, 0o644);
    SecretBox.fromKeyFile(loose);
    expect(mode(loose)).toBe(0o600);
  });
});

describe('the data folder', () => {
  test('is made 0700 with the database 0600 and the key file 0600; an existing open folder is tightened', () => {
    const dataDir = join(dir.path, 'fresh', 'data');
    const db = openDatabase(join(dataDir, 'patrol.db'));
    db.prepare("INSERT INTO customers (id, name, created_at) VALUES ('acme', 'ACME', 1)").run(); // makes the -wal file
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, 'patrol.db'))).toBe(0o600);
    expect(mode(join(dataDir, SECRET_KEY_FILE))).toBe(0o600);
    expect(existsSync(join(dataDir, 'patrol.db-wal'))).toBe(true);
    expect(mode(join(dataDir, 'patrol.db-wal'))).toBe(0o600);
    db.close();

    const old = join(dir.path, 'old-data');
    mkdirSync(old, { mode: 0o755 });
    chmodSync(old, 0o755);
    writeFileSync(join(old, 'patrol.db'), '');
    chmodSync(join(old, 'patrol.db'), 0o644);
    openDatabase(join(old, 'patrol.db')).close();
    expect(mode(old)).toBe(0o700);
    expect(mode(join(old, 'patrol.db'))).toBe(0o600);
  });
});

describe('channel secrets at rest', () => {
  test('configs and secrets are sealed in the file and read back in clear; rows stored in clear by an older version are sealed on start', () => {
    const dataDir = join(dir.path, 'channels');
    const path = join(dataDir, 'patrol.db');
    let db = openDatabase(path);
    ensureCustomer(db, 'acme', 'ACME', 1);
    const ch = createChannel(db, { kind: 'dingtalk', name: 'ding', customerId: 'acme', config: { url: 'http://127.0.0.1:9/robot/send?access_token=tok-3c4d' }, secret: 'SEC-sign-77aa' }, 1);
    const raw = db.prepare('SELECT config, secret FROM notification_channels WHERE id = ?').get(ch.id) as { config: string; secret: string };
    expect(raw.config).toMatch(/^enc:v1:/);
    expect(raw.secret).toMatch(/^enc:v1:/);
    expect(getChannelWithSecret(db, ch.id)).toMatchObject({ secret: 'SEC-sign-77aa', config: { url: 'http://127.0.0.1:9/robot/send?access_token=tok-3c4d' } });

    // An older version's row: written in clear, and the schema back before migration 060.
    db.prepare(
      "INSERT INTO notification_channels (id, customer_id, name, kind, config, secret, enabled, created_at) VALUES ('old', 'acme', 'old mail', 'email', ?, 'old-smtp-pass-9', 1, 1)",
    ).run(JSON.stringify({ host: '127.0.0.1', port: 25, from: 'p@x.test', user: 'u' }));
    db.prepare('DELETE FROM schema_migrations WHERE version = 60').run();
    db.close();
    db = openDatabase(path);
    const old = db.prepare("SELECT config, secret FROM notification_channels WHERE id = 'old'").get() as { config: string; secret: string };
    expect(old.secret).toMatch(/^enc:v1:/);
    expect(old.config).toMatch(/^enc:v1:/);
    expect(getChannelWithSecret(db, 'old')).toMatchObject({ secret: 'old-smtp-pass-9', config: { host: '127.0.0.1', user: 'u' } });
    expect(listChannels(db)).toHaveLength(2);
    db.close();

    // The bytes on disk (database and its WAL) hold none of the secrets.
    const bytes = Buffer.concat([path, `${path}-wal`].filter(existsSync).map((f) => readFileSync(f)));
    for (const secret of ['SEC-sign-77aa', 'tok-3c4d', 'old-smtp-pass-9']) expect(bytes.includes(secret)).toBe(false);

    // Without the key file, a copy of the database gives nothing away and cannot be read as if it were clear.
    const copy = new Database(path, { readonly: true });
    const sealed = copy.prepare("SELECT secret FROM notification_channels WHERE id = 'old'").get() as { secret: string };
    copy.close();
    expect(() => SecretBox.ephemeral().open(sealed.secret, 'notification_channels.secret:old')).toThrow(SecretBoxError);
  });
});
