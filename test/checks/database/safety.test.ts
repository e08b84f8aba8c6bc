import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import postgresCheck from '../../../checks/database/postgres.js';
import mysqlCheck from '../../../checks/database/mysql.js';
import redisCheck from '../../../checks/database/redis.js';
import { resolvePassword, scrubSecrets } from '../../../checks/database/credentials.js';
import { describeConnectError } from '../../../checks/database/connect-error.js';
import { runCheck, testCheckContext } from '../../helpers/check-context.js';

describe('secrets never leave a database check', () => {
  test('a known password is masked wherever it appears', () => {
    expect(scrubSecrets('auth failed for s3cr3t! (s3cr3t!)', ['s3cr3t!'])).toBe('auth failed for *** (***)');
  });

  test('a connection string echoed by a driver loses its password even when the secret is not known', () => {
    expect(scrubSecrets('cannot parse postgres://app:Hunter2@db1:5432/x', [])).toBe('cannot parse postgres://app:***@db1:5432/x');
    expect(scrubSecrets('bad dsn host=db1 user=app password=Hunter2 dbname=x', [])).toBe('bad dsn host=db1 user=app password=*** dbname=x');
    expect(scrubSecrets("config {password: 'Hunter2'}", [])).toBe('config {password: ***}');
  });

  test('a connect error keeps only the driver text, scrubbed', () => {
    const err = new Error('getaddrinfo failed for mysql://root:Hunter2@nowhere');
    expect(describeConnectError(err, 'nowhere:3306', (t) => scrubSecrets(t, ['Hunter2']))).toBe('nowhere:3306: getaddrinfo failed for mysql://root:***@nowhere');
    const refused = Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], ''), {});
    expect(describeConnectError(refused, 'localhost:6379', (t) => t)).toBe('connection refused to localhost:6379');
  });

  test('passwordEnv wins over password; a missing variable is reported by name only', () => {
    expect(resolvePassword({ password: 'a', passwordEnv: 'DB_PW' }, { DB_PW: 'b' })).toEqual({ password: 'b' });
    expect(resolvePassword({ password: 'a' }, {})).toEqual({ password: 'a' });
    expect(resolvePassword({ passwordEnv: 'DB_PW' }, {})).toEqual({ error: 'environment variable DB_PW (the password) is not set' });
  });
});

describe('a server that accepts connections but never answers', () => {
  let silent: Server;
  let port = 0;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // resume(): read (and drop) what clients send, so that their close is seen.
    silent = createServer((s) => sockets.push(s.resume()));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => silent.close(resolve));
  });

  const checks = [
    ['db.postgres', postgresCheck],
    ['db.mysql', mysqlCheck],
    ['db.redis', redisCheck],
  ] as const;

  test.each(checks)('%s gives up when the run is aborted, CRITICAL, and closes its socket', async (_id, check) => {
    const before = sockets.length;
    const controller = new AbortController();
    // Aborted once the server holds its connection, not after a fixed time: loading a driver under load can take
    // longer than any fixed delay, and an abort before connecting would test nothing.
    let timer: NodeJS.Timeout | undefined;
    silent.once('connection', () => (timer = setTimeout(() => controller.abort(), 100)));
    const out = await runCheck(check as typeof postgresCheck, testCheckContext({ signal: controller.signal }), { host: '127.0.0.1', port, password: 'Hunter2', timeoutSec: 60 });
    clearTimeout(timer);
    expect(out).toMatchObject({ status: 'CRITICAL', summary: `no answer from 127.0.0.1:${port} in time` });
    expect(sockets.length).toBe(before + 1);
    const sock = sockets[sockets.length - 1];
    await new Promise<void>((resolve) => (sock.closed ? resolve() : sock.once('close', () => resolve())));
  });

  test.each(checks)('%s honours its own timeoutSec', async (_id, check) => {
    const out = await runCheck(check as typeof postgresCheck, testCheckContext(), { host: '127.0.0.1', port, password: 'Hunter2', timeoutSec: 0.3 });
    expect(out.status).toBe('CRITICAL');
    expect(out.summary).toMatch(new RegExp(`(no answer from|connection timed out to) 127\\.0\\.0\\.1:${port}`));
    expect(JSON.stringify(out)).not.toContain('Hunter2');
  });
});
