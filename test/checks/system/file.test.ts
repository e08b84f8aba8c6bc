import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import file from '../../../checks/system/file.js';
import { runCheck, testCheckContext, testClock } from '../../helpers/check-context.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir('file-check');
afterAll(() => dir.remove());

// The file's mtime is set with utimes and the check's clock is injected, so ages are exact.
const NOW = Date.UTC(2026, 10, 25, 8, 0, 0);
const ctx = () => testCheckContext({ clock: testClock(NOW) });

function backup(name: string, bytes: number, ageHours: number): string {
  const path = join(dir.path, name);
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
