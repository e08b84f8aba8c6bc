import { appendFileSync, chownSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CheckContext, CheckOutcome } from '../../../checks/define.js';
import logPattern from '../../../checks/system/log-pattern.js';
import { SshConnectionPool } from '../../../collector/remote/ssh-executor.js';
import { KnownHosts } from '../../../shared/ssh-connect.js';
import { runCheck, testCheckContext } from '../../helpers/check-context.js';
import { startSshd, type RunningSshd } from '../../helpers/sshd.js';
import { tempDir } from '../../helpers/temp-dir.js';

describe('system.log-pattern on an agentless host over SSH', () => {
  let sshd: RunningSshd;
  let dir: ReturnType<typeof tempDir>;
  let pool: SshConnectionPool;

  beforeAll(async () => {
    sshd = await startSshd();
    dir = tempDir('log-pattern-ssh');
    pool = new SshConnectionPool({ knownHosts: new KnownHosts(join(dir.path, 'known_hosts.json')) });
  });
  afterAll(async () => {
    await pool?.close();
    await sshd?.stop();
    dir?.remove();
  });

  test('the same counts as the agent on the host, through a GBK line cut mid-character and a rotation', async () => {
    // The log lives in the SSH user's home, written by the "application" (this test).
    const log = join(sshd.home, 'app.log');
    const write = (f: (path: string) => void) => {
      f(log);
      chownSync(log, sshd.uid, sshd.gid);
    };
    write((p) => writeFileSync(p, 'ERROR before monitoring\n'));
    const remote = testCheckContext({ exec: pool.executor({ host: sshd.host, port: sshd.port, username: sshd.user, privateKeyPath: sshd.keyPath }) });
    const local = testCheckContext();
    const params = { path: log, pattern: '错误|ERROR', encoding: 'gbk', critCount: 100 };
    const both = async (ctx: CheckContext[]) => Promise.all(ctx.map((c) => runCheck(logPattern, c, params)));
    const same = ([r, l]: CheckOutcome[]) => {
      expect(r!.summary).toBe(l!.summary);
      expect(r!.details).toBe(l!.details);
      expect(r!.metrics).toEqual(l!.metrics);
      return r!;
    };

    let r = same(await both([remote, local]));
    expect(r.summary).toContain('first run');

    // 错误 (GBK b4 ed ce f3) cut after its first byte when the checks run.
    write((p) => appendFileSync(p, Buffer.from([...Buffer.from('ERROR one\n09:00 '), 0xb4])));
    r = same(await both([remote, local]));
    expect(r.details).toBe('ERROR one');
    write((p) => appendFileSync(p, Buffer.from([0xed, 0xce, 0xf3, ...Buffer.from(' two\nERROR before rotation\n')])));
    renameSync(log, `${log}.1`);
    write((p) => writeFileSync(p, 'ERROR after rotation\n'));
    r = same(await both([remote, local]));
    expect(r.details).toBe('09:00 错误 two\nERROR before rotation\nERROR after rotation');
    expect(r.summary).toContain(`read the rest of ${log}.1`);
    expect(r.metrics![0]!.fields).toMatchObject({ matches: 3 });
  });
});
