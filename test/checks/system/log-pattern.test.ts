import { appendFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import logPattern from '../../../checks/system/log-pattern.js';
import { memoryState, runCheck, testCheckContext } from '../../helpers/check-context.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir('log-pattern');
afterAll(() => dir.remove());

describe('system.log-pattern', () => {
  test('counts only lines written since the last run, and survives rotation and truncation', async () => {
    const log = join(dir.path, 'app.log');
    writeFileSync(log, 'old ERROR before monitoring\n');
    const state = memoryState();
    const ctx = testCheckContext({ state });
    const params = { path: log, pattern: 'ERROR|FATAL', warnCount: 1, critCount: 3 };

    // First run: starts at the end; errors from before monitoring are not counted.
    let r = await runCheck(logPattern, ctx, params);
    expect(r.status).toBe('OK');
    expect(r.metrics![0]!.fields.matches).toBe(0);

    const written = 'info: fine\nERROR: disk slow\nwarn: hmm\nFATAL: crash\n';
    appendFileSync(log, written);
    r = await runCheck(logPattern, ctx, params);
    expect(r.metrics![0]!.fields).toMatchObject({ matches: 2, bytes_read: written.length });
    expect(r.status).toBe('WARNING');
    expect(r.details).toBe('ERROR: disk slow\nFATAL: crash');

    // Nothing new: nothing counted, nothing re-read.
    r = await runCheck(logPattern, ctx, params);
    expect(r.metrics![0]!.fields).toMatchObject({ matches: 0, bytes_read: 0 });

    // A half-written line waits until it is complete.
    appendFileSync(log, 'ERROR: half');
    r = await runCheck(logPattern, ctx, params);
    expect(r.metrics![0]!.fields.matches).toBe(0);
    appendFileSync(log, ' done\n');
    r = await runCheck(logPattern, ctx, params);
    expect(r.metrics![0]!.fields.matches).toBe(1);
    expect(r.details).toBe('ERROR: half done');

    // logrotate: the file is moved away and a new (shorter) one is created: read the new one from 0.
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'ERROR a\nERROR b\nERROR c\n');
    r = await runCheck(logPattern, ctx, params);
    expect(r.status).toBe('CRITICAL');
    expect(r.metrics![0]!.fields.matches).toBe(3);
    expect(r.summary).toContain('rotated');

    // copytruncate: same inode, smaller than the saved offset.
    truncateSync(log, 0);
    appendFileSync(log, 'FATAL x\n');
    r = await runCheck(logPattern, ctx, params);
    expect(r.metrics![0]!.fields.matches).toBe(1);
    expect(r.summary).toContain('truncated');
  });

  test('multi-byte text keeps the offset exact; case-insensitive matching', async () => {
    const log = join(dir.path, 'zh.log');
    writeFileSync(log, '');
    const ctx = testCheckContext();
    const params = { path: log, pattern: 'error', ignoreCase: true };
    await runCheck(logPattern, ctx, params);
    appendFileSync(log, '数据库 Error 连接失败\n正常\n');
    expect((await runCheck(logPattern, ctx, params)).metrics![0]!.fields.matches).toBe(1);
    appendFileSync(log, '第二次 ERROR\n');
    const r = await runCheck(logPattern, ctx, params);
    expect(r.metrics![0]!.fields.matches).toBe(1);
    expect(r.details).toBe('第二次 ERROR');
  });

  test('reads at most maxReadBytes per run and says what it skipped', async () => {
    const log = join(dir.path, 'big.log');
    writeFileSync(log, '');
    const ctx = testCheckContext();
    const params = { path: log, pattern: 'ERROR', maxReadBytes: 100 };
    await runCheck(logPattern, ctx, params);
    appendFileSync(log, `${'ERROR early\n'.repeat(50)}ERROR late\n`);
    const r = await runCheck(logPattern, ctx, params);
    // The last 100 bytes start 7 bytes into an "ERROR early" line: that tail is skipped too, never a line.
    expect(r.metrics![0]!.fields).toMatchObject({ bytes_skipped: 600 + 11 - 100 + 5, bytes_read: 95, matches: 8 });
    expect(r.summary).toContain('skipped 516 bytes');

    // Skipping that ends exactly at a line start drops no line.
    appendFileSync(log, 'ERROR x\n'.repeat(20));
    const exact = await runCheck(logPattern, ctx, { ...params, maxReadBytes: 80 });
    expect(exact.metrics![0]!.fields).toMatchObject({ bytes_skipped: 80, bytes_read: 80, matches: 10 });
  });

  test('a missing file is UNKNOWN; a bad regex is refused with the assignment', async () => {
    const r = await runCheck(logPattern, testCheckContext(), { path: join(dir.path, 'nope.log'), pattern: 'x' });
    expect(r.status).toBe('UNKNOWN');
    expect(r.summary).toMatch(/^cannot stat .*nope\.log: .*No such file/);
    const bad = logPattern.params.safeParse({ path: join(dir.path, 'zh.log'), pattern: '(' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('not a valid regular expression');
  });
});
