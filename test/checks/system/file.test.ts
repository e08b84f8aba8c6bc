import { chmodSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import file from '../../../checks/system/file.js';
import { SshConnectionPool } from '../../../collector/remote/ssh-executor.js';
import { KnownHosts } from '../../../shared/ssh-connect.js';
import { startSshd } from '../../helpers/sshd.js';
import { runCheck, testCheckContext, testClock } from '../../helpers/check-context.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir('file-check');
afterAll(() => dir.remove());

// The file's mtime is set with utimes and the check's clock is injected, so ages are exact.
const NOW = Date.UTC(2026, 10, 25, 8, 0, 0);
const ctx = () => testCheckContext({ clock: testClock(NOW) });

function backup(name: string, bytes: number, ageHours: number): string {
  const path = join(dir.path, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, Buffer.alloc(bytes, 1));
  const mtime = new Date(NOW - ageHours * 3600_000);
  utimesSync(path, mtime, mtime);
  return path;
}

describe('system.file (backups)', () => {
  test('last night\'s backup, big enough: OK with age and size', async () => {
    const path = backup('db-fresh.dump', 5000, 3);
    const r = await runCheck(file, ctx(), { path, critMinBytes: 1000 });
    expect(r.status).toBe('OK');
    expect(r.metrics![0]!.fields).toEqual({ exists: 1, age_sec: 3 * 3600, size_bytes: 5000 });
  });

  test('a backup older than the limits is WARNING, then CRITICAL', async () => {
    const path = backup('db-old.dump', 5000, 30);
    expect((await runCheck(file, ctx(), { path, warnAgeHours: 26, critAgeHours: 50 })).status).toBe('WARNING');
    const r = await runCheck(file, ctx(), { path, warnAgeHours: 12, critAgeHours: 24 });
    expect(r.status).toBe('CRITICAL');
    expect(r.summary).toContain('older than 24 h');
  });

  test('a backup that is too small is CRITICAL (empty) or WARNING (suspiciously small)', async () => {
    const empty = backup('db-empty.dump', 0, 1);
    expect((await runCheck(file, ctx(), { path: empty })).status).toBe('CRITICAL');
    const small = backup('db-small.dump', 100, 1);
    const r = await runCheck(file, ctx(), { path: small, warnMinBytes: 1000, critMinBytes: 10 });
    expect(r.status).toBe('WARNING');
    expect(r.summary).toContain('smaller than 1000 bytes');
  });

  test('a missing backup is CRITICAL by default, or the status asked for', async () => {
    const path = join(dir.path, 'never-written.dump');
    const r = await runCheck(file, ctx(), { path });
    expect(r).toMatchObject({ status: 'CRITICAL', summary: `${path} is missing` });
    expect((await runCheck(file, ctx(), { path, missingStatus: 'WARNING' })).status).toBe('WARNING');
  });
});

describe('system.file on a folder of dated backups (dir + pattern)', () => {
  test('the newest matching file is judged: OK when last night\'s dump is there and big enough', async () => {
    backup('nightly/db_2026-11-22.dump', 9000, 3 * 24 + 2);
    backup('nightly/db_2026-11-23.dump', 9000, 2 * 24 + 2);
    backup('nightly/db_2026-11-24.dump', 8000, 2);
    // Not matching the pattern, though newer: a log beside the dumps and a dump in a subfolder.
    backup('nightly/db_backup.log', 10, 0.1);
    backup('nightly/old/db_2026-11-25.dump', 1, 0.1);
    const nightly = join(dir.path, 'nightly');
    const r = await runCheck(file, ctx(), { dir: nightly, pattern: 'db_*.dump', critMinBytes: 1000 });
    expect(r.status).toBe('OK');
    expect(r.summary).toBe(`${nightly}/db_*.dump: newest ${nightly}/db_2026-11-24.dump of 3, 8000 bytes, modified 2.0 h ago`);
    expect(r.metrics![0]).toEqual({ measurement: 'file', tags: { path: `${nightly}/db_*.dump` }, fields: { exists: 1, age_sec: 2 * 3600, size_bytes: 8000, matches: 3 } });
  });

  test('the backup job stopped two days ago: the newest file is old, CRITICAL', async () => {
    backup('stopped/db_2026-11-21.dump', 9000, 4 * 24);
    backup('stopped/db_2026-11-23.dump', 9000, 2 * 24 + 5);
    const r = await runCheck(file, ctx(), { dir: join(dir.path, 'stopped'), pattern: 'db_*.dump' });
    expect(r.status).toBe('CRITICAL');
    expect(r.summary).toMatch(/newest .*db_2026-11-23\.dump of 2, 9000 bytes, modified 2\.2 d ago \(older than 50 h\)$/);
  });

  test('last night\'s dump is empty: judged by the newest, not by a good older one', async () => {
    backup('empty/db_2026-11-23.dump', 9000, 26.5);
    backup('empty/db_2026-11-24.dump', 0, 1);
    const r = await runCheck(file, ctx(), { dir: join(dir.path, 'empty'), pattern: 'db_*.dump' });
    expect(r.status).toBe('CRITICAL');
    expect(r.summary).toContain('db_2026-11-24.dump of 2, 0 bytes');
    expect(r.summary).toContain('smaller than 1 bytes');
  });

  test('no file matches, or the folder is missing: CRITICAL (or the status asked for)', async () => {
    backup('none/db_backup.log', 10, 1);
    const none = join(dir.path, 'none');
    const r = await runCheck(file, ctx(), { dir: none, pattern: 'db_*.dump' });
    expect(r).toMatchObject({ status: 'CRITICAL', summary: `no file in ${none} matches db_*.dump` });
    expect(r.metrics![0]!.fields).toEqual({ exists: 0, matches: 0 });
    const gone = join(dir.path, 'no-such-folder');
    expect(await runCheck(file, ctx(), { dir: gone, pattern: 'db_*.dump' })).toMatchObject({ status: 'CRITICAL', summary: `${gone} is missing` });
    expect((await runCheck(file, ctx(), { dir: gone, pattern: 'db_*.dump', missingStatus: 'WARNING' })).status).toBe('WARNING');
  });

  test('a backup folder that is a symlink (to another disk) is followed', async () => {
    backup('real-disk/db_2026-11-24.dump', 5000, 1);
    const link = join(dir.path, 'backups-link');
    symlinkSync(join(dir.path, 'real-disk'), link);
    const r = await runCheck(file, ctx(), { dir: link, pattern: 'db_*.dump' });
    expect(r.status).toBe('OK');
    expect(r.metrics![0]!.fields.matches).toBe(1);
  });

  test('path and dir+pattern are either-or; a pattern never holds a folder', async () => {
    const both = await runCheck(file, ctx(), { path: '/etc/hostname', dir: dir.path, pattern: '*.dump' });
    expect(both).toMatchObject({ status: 'UNKNOWN', summary: 'bad parameters: (root): give either `path` or `dir` with `pattern`, not both' });
    expect((await runCheck(file, ctx(), { dir: dir.path })).summary).toBe('bad parameters: (root): `dir` needs `pattern`');
    expect((await runCheck(file, ctx(), { pattern: '*.dump' })).summary).toBe('bad parameters: (root): `pattern` needs `dir`');
    expect((await runCheck(file, ctx(), {})).summary).toBe('bad parameters: (root): give `path`, or `dir` with `pattern`');
    expect(file.params.safeParse({ dir: dir.path, pattern: '../*.dump' }).success).toBe(false);
    expect(file.params.safeParse({ dir: 'relative/dir', pattern: '*.dump' }).success).toBe(false);
  });
});

describe('system.file over SSH (agentless host)', () => {
  test('the newest dated backup is found and judged through a real sshd, as locally', async () => {
    const sshd = await startSshd();
    const keys = tempDir('file-ssh-keys');
    const pool = new SshConnectionPool({ knownHosts: new KnownHosts(join(keys.path, 'known_hosts.json')) });
    try {
      backup('remote/db_2026-11-23.dump', 7000, 26.5);
      backup('remote/db_2026-11-24.dump', 6000, 2.5);
      // The login user reads the folder as any backup checker would: world-readable.
      for (const d of [dir.path, join(dir.path, 'remote')]) chmodSync(d, 0o755);
      const exec = pool.executor({ host: sshd.host, port: sshd.port, username: sshd.user, privateKeyPath: sshd.keyPath });
      const params = { dir: join(dir.path, 'remote'), pattern: 'db_*.dump' };
      const remote = await runCheck(file, testCheckContext({ clock: testClock(NOW), exec }), params);
      expect(remote.status).toBe('OK');
      expect(remote.summary).toMatch(/newest .*db_2026-11-24\.dump of 2, 6000 bytes, modified 2\.5 h ago$/);
      expect(remote).toEqual(await runCheck(file, ctx(), params));
    } finally {
      await pool.close();
      await sshd.stop();
      keys.remove();
    }
  });
});
