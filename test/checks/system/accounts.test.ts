import { appendFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import accounts from '../../../checks/system/accounts.js';
import type { Executor } from '../../../checks/define.js';
import { localExecutor } from '../../../checks/exec/local-executor.js';
import { renderCheckMessage } from '../../../checks/messages.js';
import { runAssignment } from '../../../checks/run.js';
import { CheckAssignmentSchema } from '../../../shared/assignment.js';
import { CheckResultSchema } from '../../../shared/check-result.js';
import { memoryState, runCheck, testCheckContext, testRuntime } from '../../helpers/check-context.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir('accounts');
afterAll(() => dir.remove());

const PASSWD = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
alice:x:1000:1000:Alice:/home/alice:/bin/bash
bob:x:1001:1001:Bob:/home/bob:/bin/bash
svc:x:998:998::/var/lib/svc:/usr/sbin/nologin
`;
const SHADOW = `root:$y$j9T$abc$def:20000:0:99999:7:::
daemon:*:20000:0:99999:7:::
alice:!$y$j9T$abc$def:20000:0:99999:7:::
bob:$y$j9T$abc$def:20000:0:99999:7:::
svc:!:20000::::::
`;

const zh = (r: { message?: Parameters<typeof renderCheckMessage>[1]; summary: string }) => renderCheckMessage('zh', r.message, r.summary);

describe('system.accounts on files', () => {
  test('locked accounts are information; failed log-ins are counted since the last run against thresholds', async () => {
    const passwd = join(dir.path, 'passwd');
    const shadow = join(dir.path, 'shadow');
    const authLog = join(dir.path, 'auth.log');
    writeFileSync(passwd, PASSWD);
    writeFileSync(shadow, SHADOW);
    writeFileSync(authLog, 'Dec  4 20:00:00 h sshd[1]: Failed password for root from 10.0.0.9 port 50000 ssh2\n');
    const ctx = testCheckContext({ state: memoryState() });
    const params = { passwd, shadow, authLog, failedWarnCount: 3, failedCritCount: 5 };

    // First run: the log is read from its end (old attempts were before monitoring).
    let r = await runCheck(accounts, ctx, params);
    expect(r.status).toBe('OK');
    expect(zh(r)).toBe(`1 个账号被锁定（alice），无 UID 0 异常账号，无空密码；登录失败次数从下次检查起统计（${authLog}）`);
    expect(r.metrics![0]!.fields).toEqual({ accounts: 5, uid0_extra: 0, empty_password: 0, locked: 1 });

    appendFileSync(
      authLog,
      [
        'Dec  4 20:01:00 h sshd[2]: Invalid user admin from 10.0.0.9 port 50001',
        'Dec  4 20:01:01 h sshd[2]: Failed password for invalid user admin from 10.0.0.9 port 50001 ssh2',
        'Dec  4 20:01:05 h sshd[3]: Accepted publickey for bob from 10.0.0.8 port 50002 ssh2',
        'Dec  4 20:01:09 h su: pam_unix(su:auth): authentication failure; logname=bob uid=1001 euid=0 tty=pts/0 ruser=bob rhost=  user=root',
        '',
      ].join('\n'),
    );
    r = await runCheck(accounts, ctx, params);
    expect(r.status).toBe('WARNING');
    expect(zh(r)).toBe('1 个账号被锁定（alice），无 UID 0 异常账号，无空密码；近 1 次间隔登录失败 3 次');
    expect(r.summary).toBe('1 account locked (alice), no extra UID 0 account, no empty password; 3 failed log-ins in the last interval');
    expect(r.metrics![0]!.fields.failed_logins).toBe(3);
    expect(r.details).toContain('Invalid user admin');
    expect(r.details).not.toContain('Accepted publickey');

    // Nothing new: nothing counted, back to OK.
    r = await runCheck(accounts, ctx, params);
    expect(r.status).toBe('OK');
    expect(r.metrics![0]!.fields.failed_logins).toBe(0);

    appendFileSync(authLog, 'x sshd[9]: Failed password for root from 10.0.0.9\n'.repeat(5));
    r = await runCheck(accounts, ctx, params);
    expect(r.status).toBe('CRITICAL');
    expect(r.metrics![0]!.fields.failed_logins).toBe(5);
  });

  test('an extra UID 0 account or an empty password is CRITICAL', async () => {
    const passwd = join(dir.path, 'passwd2');
    const shadow = join(dir.path, 'shadow2');
    writeFileSync(passwd, `${PASSWD}toor:x:0:0::/root:/bin/bash\nguest:x:1002:1002::/home/guest:/bin/sh\nold::1003:1003::/home/old:/bin/sh\n`);
    writeFileSync(shadow, `${SHADOW}toor:$6$x$y:20000::::::\nguest::20000:0:99999:7:::\n`);
    const r = await runCheck(accounts, testCheckContext(), { passwd, shadow, authLog: join(dir.path, 'auth.log') });
    expect(r.status).toBe('CRITICAL');
    expect(zh(r)).toMatch(/^1 个账号被锁定（alice），除 root 外 UID 为 0 的账号：toor，空密码账号：old, guest；/);
    expect(r.metrics![0]!.fields).toMatchObject({ uid0_extra: 1, empty_password: 2 });
  });

  test('an unreadable /etc/shadow is said plainly: UNKNOWN, unless /etc/passwd alone shows a CRITICAL problem', async () => {
    const passwd = join(dir.path, 'passwd');
    const local = localExecutor();
    // Root reads any file, so the agent-not-root case is an executor whose shadow read is refused as the kernel does.
    const notRoot: Executor = {
      ...local,
      readFile: (path) => (path.endsWith('shadow') ? Promise.reject(Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' })) : local.readFile(path)),
    };
    let r = await runCheck(accounts, testCheckContext({ exec: notRoot }), { passwd, shadow: '/etc/shadow', authLog: join(dir.path, 'auth.log') });
    expect(r.status).toBe('UNKNOWN');
    expect(zh(r)).toMatch(/^无 UID 0 异常账号，未检查空密码与锁定账号：无权读取 \/etc\/shadow（代理程序的用户需要读取权限：加入 shadow 组，或以 root 运行）；/);
    expect(r.summary).toContain("no permission to read /etc/shadow (the user the agent runs as needs read access: the shadow group, or root)");
    expect(r.metrics![0]!.fields).not.toHaveProperty('locked');

    // The real refusal: as the unprivileged user nobody (as an agent not given the shadow group), files read as
    // the SSH executor reads them, with cat.
    const asNobody: Executor = {
      kind: 'local',
      exec: (command, args, opts) => local.exec('runuser', ['-u', 'nobody', '--', command, ...args], opts),
      async readFile(path) {
        const c = await local.exec('runuser', ['-u', 'nobody', '--', 'cat', '--', path]);
        if (c.code !== 0) throw new Error(`cannot read ${path}: ${c.stderr.trim()}`);
        return c.stdout;
      },
    };
    r = await runCheck(accounts, testCheckContext({ exec: asNobody }), {});
    expect(r.status).toBe('UNKNOWN');
    expect(r.summary).toContain('no permission to read /etc/shadow');

    const withToor = join(dir.path, 'passwd3');
    writeFileSync(withToor, `${PASSWD}toor:x:0:0::/root:/bin/bash\n`);
    r = await runCheck(accounts, testCheckContext(), { passwd: withToor, shadow: join(dir.path, 'missing-shadow'), authLog: join(dir.path, 'auth.log') });
    expect(r.status).toBe('CRITICAL');
    expect(r.summary).toMatch(/UID 0 besides root: toor, empty passwords and locked accounts not checked: cannot read .*missing-shadow \(ENOENT/);

    // A missing passwd file: nothing can be judged.
    r = await runCheck(accounts, testCheckContext(), { passwd: join(dir.path, 'nope'), authLog: join(dir.path, 'auth.log') });
    expect(r.status).toBe('UNKNOWN');
  });
});

describe('system.accounts on this machine', () => {
  test('judges the real /etc/passwd and /etc/shadow as awk reads them', async () => {
    // The expected sets, worked out by awk on the real files (independent of the check's parser).
    const awk = (prog: string, ...files: string[]) => execFileSync('awk', ['-F:', prog, ...files], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    const expected = () => ({
      extraRoot: awk('$3 == 0 && $1 != "root" { print $1 }', '/etc/passwd'),
      empty: awk('FNR == NR { if ($2 == "") e[$1] = 1; next } $2 == "" || (e[$1] && $2 == "x") { print $1 }', '/etc/shadow', '/etc/passwd'),
      locked: awk(
        'FNR == NR { if ($2 ~ /^[!*]/) l[$1] = 1; next } $2 == "x" && l[$1] && $7 != "" && $7 !~ /(nologin|false|sync|shutdown|halt)$/ { print $1 }',
        '/etc/shadow',
        '/etc/passwd',
      ),
    });
    // Other tests on this machine may add a user meanwhile: judge a run between two equal readings.
    let before = expected();
    let r = await runCheck(accounts, testCheckContext(), {});
    for (let i = 0; i < 3 && JSON.stringify(expected()) !== JSON.stringify(before); i++) {
      before = expected();
      r = await runCheck(accounts, testCheckContext(), {});
    }
    const { extraRoot, empty, locked } = before;
    expect(r.metrics![0]!.fields).toMatchObject({ uid0_extra: extraRoot.length, empty_password: empty.length, locked: locked.length });
    const lockedInDetails = /^locked: (.*)$/m.exec(r.details ?? '')?.[1]?.split(' ').sort() ?? [];
    expect(lockedInDetails).toEqual(locked);
    if (extraRoot.length || empty.length) expect(r.status).toBe('CRITICAL');
    else expect(['OK', 'WARNING', 'CRITICAL', 'UNKNOWN']).toContain(r.status);
    // Without an auth log this machine's result is the accounts alone; with one, the first run counts from now on.
    expect(zh(r)).toMatch(/；(未统计登录失败：未找到认证日志|登录失败次数从下次检查起统计)/);
    if (!extraRoot.length && !empty.length) expect(r.status).toBe('OK');
  });

  test('through the runner, the result and its metrics pass the wire schema', async () => {
    const r = await runAssignment(CheckAssignmentSchema.parse({ name: 'accounts', checkId: 'system.accounts' }), testRuntime({ baseTags: { host: 'h' } }));
    expect(() => CheckResultSchema.parse(r)).not.toThrow();
    expect(r.status, r.summary).not.toMatch(/UNKNOWN/);
    expect(r.metrics.find((m) => m.measurement === 'accounts')).toBeDefined();
  });
});
