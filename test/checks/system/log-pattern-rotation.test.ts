import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { CheckContext, CheckOutcome } from '../../../checks/define.js';
import logPattern from '../../../checks/system/log-pattern.js';
import { memoryState, runCheck, testCheckContext } from '../../helpers/check-context.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir('log-rotation');
afterAll(() => dir.remove());

const fields = (r: CheckOutcome) => r.metrics![0]!.fields;

/** GBK bytes of a few words (as `iconv -t gbk` writes them): what a Chinese Windows or CentOS app logs. */
const GBK = {
  error: [0xb4, 0xed, 0xce, 0xf3], // 错误
  connectFailed: [0xc1, 0xac, 0xbd, 0xd3, 0xca, 0xa7, 0xb0, 0xdc], // 连接失败
  normal: [0xd5, 0xfd, 0xb3, 0xa3], // 正常
  database: [0xca, 0xfd, 0xbe, 0xdd, 0xbf, 0xe2], // 数据库
};
/** ASCII text and raw bytes, in order. */
const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

function logIn(name: string): string {
  const path = join(dir.path, name);
  writeFileSync(path, 'ERROR from before monitoring\n');
  return path;
}

describe('system.log-pattern across logrotate', () => {
  test('lines written just before a rotation are counted from the renamed file, then the new file from its start', async () => {
    const log = logIn('app.log');
    const ctx = testCheckContext();
    const params = { path: log, pattern: 'ERROR', critCount: 100 };
    await runCheck(logPattern, ctx, params);

    // logrotate's default (create): app.log becomes app.log.1 and a new app.log starts.
    appendFileSync(log, 'ERROR before rotation 1\ninfo fine\nERROR before rotation 2\n');
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'ERROR after rotation\n');
    let r = await runCheck(logPattern, ctx, params);
    expect(fields(r).matches).toBe(3);
    expect(r.details).toBe('ERROR before rotation 1\nERROR before rotation 2\nERROR after rotation');
    expect(r.summary).toContain(`file was rotated; read the rest of ${log}.1`);
    r = await runCheck(logPattern, ctx, params);
    expect(fields(r)).toMatchObject({ matches: 0, bytes_read: 0 });

    // dateext: the old file is app.log-20261125, beside an older app.log.1 that must not be read again.
    // Its last line has no newline: nothing will be added to a rotated file, so it is a line.
    appendFileSync(log, 'ERROR last before the date rotation');
    renameSync(log, `${log}-20261125`);
    writeFileSync(log, '');
    r = await runCheck(logPattern, ctx, params);
    expect(r.details).toBe('ERROR last before the date rotation');
    expect(r.summary).toContain(`read the rest of ${log}-20261125`);

    // Rotated and compressed before the check ran: the gzip file is a new file that cannot be read; say so.
    appendFileSync(log, 'ERROR lost in the gzip\n');
    renameSync(log, `${log}.2`);
    // (The new file is made first, as logrotate does: made after, it could be given the freed inode.)
    writeFileSync(log, 'ERROR in the new file\n');
    execFileSync('gzip', [`${log}.2`]);
    r = await runCheck(logPattern, ctx, params);
    expect(r.details).toBe('ERROR in the new file');
    expect(r.summary).toContain('the rest of the old file was not found (compressed or moved away)');
  });

  test('a log named with its date before the extension (app-20261125.log) is found too', async () => {
    const log = logIn('svc.log');
    const ctx = testCheckContext();
    const params = { path: log, pattern: 'ERROR' };
    await runCheck(logPattern, ctx, params);
    appendFileSync(log, 'ERROR late\n');
    renameSync(log, join(dir.path, 'svc-20261125.log'));
    writeFileSync(log, '');
    const r = await runCheck(logPattern, ctx, params);
    expect(r.details).toBe('ERROR late');
  });

  test('copytruncate: the unread lines are read from the copy, and a file emptied and regrown past the old offset is noticed', async () => {
    const log = logIn('ct.log');
    const ctx = testCheckContext();
    const params = { path: log, pattern: 'ERROR|FATAL', critCount: 100 };
    await runCheck(logPattern, ctx, params);
    appendFileSync(log, 'ERROR one\n');
    expect(fields(await runCheck(logPattern, ctx, params)).matches).toBe(1);

    // Written after that run, then copied to ct.log.1 and the log emptied in place (same inode).
    appendFileSync(log, 'ERROR two\nERROR three\n');
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, 'FATAL four\n');
    let r = await runCheck(logPattern, ctx, params);
    expect(r.details).toBe('ERROR two\nERROR three\nFATAL four');
    expect(r.summary).toContain(`file was truncated; read the rest of its copy ${log}.1`);

    // Next rotation: the app writes more after the emptying than the old offset, before the check runs again.
    appendFileSync(log, 'ERROR five\n');
    renameSync(`${log}.1`, `${log}.2`);
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, `${'info: a long line of normal work after the rotation\n'.repeat(3)}ERROR six\n`);
    r = await runCheck(logPattern, ctx, params);
    expect(r.details).toBe('ERROR five\nERROR six');
    expect(r.summary).toContain('file was truncated');
    expect(fields(await runCheck(logPattern, ctx, params)).matches).toBe(0);
  });
});

describe('system.log-pattern on logs that are not UTF-8', () => {
  test('a GBK log: a Chinese pattern matches, and a line cut in the middle of a character is read whole next run', async () => {
    const log = join(dir.path, 'gbk.log');
    writeFileSync(log, bytes('08:00:00 ', GBK.error, ' old\n'));
    const state = memoryState();
    const ctx = testCheckContext({ state });
    const params = { path: log, pattern: '错误', encoding: 'gbk' };
    await runCheck(logPattern, ctx, params);

    // The app has written half of 错 (first byte of two) when the check runs.
    const complete = bytes('08:00:01 ', GBK.database, GBK.error, ' ', GBK.connectFailed, '\n', GBK.normal, '\n');
    appendFileSync(log, Buffer.concat([complete, bytes('08:00:02 ', GBK.error.slice(0, 1))]));
    let r = await runCheck(logPattern, ctx, params);
    expect(fields(r)).toMatchObject({ matches: 1, bytes_read: complete.length });
    expect(r.details).toBe('08:00:01 数据库错误 连接失败');
    expect((state.store.get('cursor') as { offset: number }).offset).toBe(statSync(log).size - 10);

    appendFileSync(log, bytes(GBK.error.slice(1), ' again\n'));
    r = await runCheck(logPattern, ctx, params);
    expect(fields(r)).toMatchObject({ matches: 1, bytes_read: 9 + 4 + 7 });
    expect(r.details).toBe('08:00:02 错误 again');
    expect((state.store.get('cursor') as { offset: number }).offset).toBe(statSync(log).size);
  });

  test('GBK bytes read as UTF-8 keep the byte offset exact: nothing is re-read or counted twice', async () => {
    const log = join(dir.path, 'gbk-as-utf8.log');
    writeFileSync(log, '');
    const state = memoryState();
    const ctx = testCheckContext({ state });
    const params = { path: log, pattern: 'ERROR' };
    await runCheck(logPattern, ctx, params);
    // Two whole lines and a third still being written when the check runs.
    const whole = bytes('ERROR ', GBK.database, GBK.connectFailed, '\n', GBK.normal, '\nERROR ', GBK.error, '\n');
    appendFileSync(log, Buffer.concat([whole, bytes('ERROR ', GBK.normal, ' par')]));
    let r = await runCheck(logPattern, ctx, params);
    expect(fields(r)).toMatchObject({ matches: 2, bytes_read: whole.length });
    expect((state.store.get('cursor') as { offset: number }).offset).toBe(whole.length);

    appendFileSync(log, 'tial\n');
    r = await runCheck(logPattern, ctx, params);
    expect(fields(r)).toMatchObject({ matches: 1, bytes_read: 6 + 4 + 9 });
    expect(r.summary).not.toContain('truncated');
    r = await runCheck(logPattern, ctx, params);
    expect(fields(r)).toMatchObject({ matches: 0, bytes_read: 0 });
  });

  test('an encoding the check cannot split into lines is refused with the assignment', () => {
    for (const encoding of ['utf-16le', 'klingon']) {
      const bad = logPattern.params.safeParse({ path: '/var/log/x', pattern: 'x', encoding });
      expect(bad.success).toBe(false);
      expect(bad.error?.issues[0]?.message).toMatch(/^not an encoding this check can read/);
    }
  });
});

describe('system.log-pattern when the assignment changes', () => {
  test('a changed path starts at the end of the new file instead of counting its history', async () => {
    const a = logIn('a.log');
    const b = join(dir.path, 'b.log');
    writeFileSync(b, 'ERROR old 1\nERROR old 2\nERROR old 3\n');
    const ctx: CheckContext = testCheckContext();
    await runCheck(logPattern, ctx, { path: a, pattern: 'ERROR' });
    appendFileSync(a, 'ERROR in a\n');
    expect(fields(await runCheck(logPattern, ctx, { path: a, pattern: 'ERROR' })).matches).toBe(1);

    let r = await runCheck(logPattern, ctx, { path: b, pattern: 'ERROR' });
    expect(r.status).toBe('OK');
    expect(fields(r)).toMatchObject({ matches: 0, bytes_read: 0 });
    expect(r.summary).toContain(`path changed from ${a}: counting from now on`);
    appendFileSync(b, 'ERROR new in b\n');
    r = await runCheck(logPattern, ctx, { path: b, pattern: 'ERROR' });
    expect(r.details).toBe('ERROR new in b');

    // With readExistingOnFirstRun the new file is read from its start, as on a first run.
    const c = join(dir.path, 'c.log');
    writeFileSync(c, 'ERROR c1\nERROR c2\n');
    r = await runCheck(logPattern, ctx, { path: c, pattern: 'ERROR', readExistingOnFirstRun: true });
    expect(fields(r).matches).toBe(2);
    expect(r.summary).toContain(`path changed from ${b}: reading it from the start`);
  });

  test('a position saved before paths were kept goes on where it was for the same file', async () => {
    const log = logIn('legacy.log');
    const { ino, size } = statSync(log);
    const state = memoryState();
    state.set('cursor', { inode: ino, offset: size });
    appendFileSync(log, 'ERROR after the upgrade\n');
    const r = await runCheck(logPattern, testCheckContext({ state }), { path: log, pattern: 'ERROR' });
    expect(r.details).toBe('ERROR after the upgrade');
    expect(r.summary).not.toContain('first run');
  });
});
