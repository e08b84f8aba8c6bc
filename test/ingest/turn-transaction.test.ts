import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TurnTransaction } from '../../collector/ingest/turn-transaction.js';
import { createLogger } from '../../shared/logger.js';
import { tempDir } from '../helpers/temp-dir.js';

const nextTurn = () => new Promise((r) => setImmediate(r));

describe('TurnTransaction: the writes of one event-loop turn share one commit', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let reader: Database.Database;
  let turn: TurnTransaction;
  const count = () => (reader.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;

  beforeEach(() => {
    dir = tempDir('turn-tx');
    const path = join(dir.path, 'x.db');
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE p (id INTEGER PRIMARY KEY);');
    // A child whose parent is checked only at COMMIT: the way to make a commit fail on purpose.
    db.exec('CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)');
    reader = new Database(path, { readonly: true });
    turn = new TurnTransaction(db, createLogger('test.turn'));
  });
  afterEach(() => {
    reader.close();
    db.close();
    dir.remove();
  });

  it('commits every run() of a turn together at its end, and answers afterCommit only then', async () => {
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const answered: Array<Error | undefined> = [];
    for (let i = 0; i < 5; i++) turn.run(() => insert.run(`batch ${i}`));
    turn.afterCommit((err) => answered.push(err));
    // Another connection (another process) sees none of it yet, and nobody was answered.
    expect(count()).toBe(0);
    expect(answered).toEqual([]);
    await nextTurn();
    expect(count()).toBe(5);
    expect(answered).toEqual([undefined]);
    expect(db.inTransaction).toBe(false);
  });

  it("lets other code's db.transaction() join as a savepoint: one that throws loses only its own writes", async () => {
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    turn.run(() => insert.run('kept'));
    const failing = db.transaction(() => {
      insert.run('rolled back');
      throw new Error('listener bug');
    });
    expect(() => turn.run(() => failing())).toThrow('listener bug');
    turn.run(() => db.transaction(() => insert.run('also kept'))());
    await nextTurn();
    expect(reader.prepare('SELECT v FROM t ORDER BY id').all()).toEqual([{ v: 'kept' }, { v: 'also kept' }]);
  });

  it('answers at once when nothing is open, and a later turn gets a transaction of its own', async () => {
    const answered: string[] = [];
    turn.afterCommit(() => answered.push('now'));
    expect(answered).toEqual(['now']);
    turn.run(() => db.prepare("INSERT INTO t (v) VALUES ('a')").run());
    await nextTurn();
    turn.run(() => db.prepare("INSERT INTO t (v) VALUES ('b')").run());
    expect(count()).toBe(1);
    await nextTurn();
    expect(count()).toBe(2);
  });

  it('tells afterCommit of a failed commit, and nothing of that turn is stored', async () => {
    const answered: Array<Error | undefined> = [];
    turn.run(() => db.prepare("INSERT INTO t (v) VALUES ('lost with the turn')").run());
    turn.run(() => db.prepare('INSERT INTO c (p) VALUES (42)').run());
    turn.afterCommit((err) => answered.push(err));
    await nextTurn();
    expect(answered).toHaveLength(1);
    expect(answered[0]?.message).toMatch(/FOREIGN KEY/);
    expect(count()).toBe(0);
    expect(db.inTransaction).toBe(false);
    // The next turn works again.
    turn.run(() => db.prepare("INSERT INTO t (v) VALUES ('next')").run());
    await nextTurn();
    expect(count()).toBe(1);
  });

  it('commit() commits at once (the hub calls it before the database is closed)', () => {
    turn.run(() => db.prepare("INSERT INTO t (v) VALUES ('x')").run());
    turn.commit();
    expect(count()).toBe(1);
    expect(db.inTransaction).toBe(false);
  });
});
