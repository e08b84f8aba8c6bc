import { describe, expect, test } from 'vitest';
import updates, { parseAptSimulation, parseCheckUpdate, parseUpdateinfoSecurity } from '../../../checks/system/updates.js';
import type { ExecResult, Executor } from '../../../checks/define.js';
import { localExecutor } from '../../../checks/exec/local-executor.js';
import { renderCheckMessage } from '../../../checks/messages.js';
import { runCheck, testCheckContext } from '../../helpers/check-context.js';

// Captured from `apt-get -s -o Debug::NoLocking=1 upgrade` on Debian 12 (lines shortened to a few packages).
const APT_SAMPLE = `NOTE: This is only a simulation!
      apt-get needs root privileges for real execution.
      Keep also in mind that locking is deactivated,
      so don't depend on the relevance to the real current situation!
Reading package lists...
Building dependency tree...
Reading state information...
Calculating upgrade...
The following packages will be upgraded:
  base-files bash libgcrypt20 libgcrypt20-dev liblzma5 openssh-client
6 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.
Inst base-files [12.4+deb12u11] (12.4+deb12u15 Debian:12.15/oldstable [amd64])
Conf base-files (12.4+deb12u15 Debian:12.15/oldstable [amd64])
Inst bash [5.2.15-2+b8] (5.2.15-2+b13 Debian:12.15/oldstable [amd64])
Inst libgcrypt20-dev [1.10.1-3] (1.10.1-3+deb12u1 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64]) []
Inst libgcrypt20 [1.10.1-3] (1.10.1-3+deb12u1 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64])
Inst liblzma5 [5.4.1-0.2] (5.4.1-1+deb12u2 Debian-Security:12/oldstable-security [amd64])
Inst openssh-client [1:9.2p1-2+deb12u5] (1:9.2p1-2+deb12u7 Debian:12.12/stable [amd64])
Conf bash (5.2.15-2+b13 Debian:12.15/oldstable [amd64])
`;

// Ubuntu names its security pocket in the origin: "Ubuntu:22.04/jammy-security".
const UBUNTU_SAMPLE = `Inst libssl3 [3.0.2-0ubuntu1.15] (3.0.2-0ubuntu1.18 Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security [amd64])
Inst tzdata [2024a-0ubuntu0.22.04] (2024b-0ubuntu0.22.04 Ubuntu:22.04/jammy-updates [all])
Inst linux-image-generic (5.15.0.125.123 Ubuntu:22.04/jammy-security [amd64])
`;

// `dnf -q updateinfo list --security` on RHEL 9 / Kylin V10 (openssl is named by two advisories: one update).
const DNF_SECURITY_SAMPLE = `RHSA-2024:2447 Important/Sec. openssl-1:3.0.7-27.el9.x86_64
RHSA-2024:2447 Important/Sec. openssl-libs-1:3.0.7-27.el9.x86_64
RHSA-2024:3501 Moderate/Sec.  nghttp2-libs-1.43.0-5.el9_4.3.x86_64
RHSA-2024:9999 Low/Sec.       openssl-1:3.0.7-27.el9.x86_64
KYSA-202405-1008 Important/Sec. kernel-4.19.90-89.11.v2401.ky10.x86_64
`;

// `dnf -q check-update` (exit 100): name.arch, version, repository; then obsoletes, not counted.
const DNF_CHECK_UPDATE_SAMPLE = `
kernel.x86_64                     4.19.90-89.11.v2401.ky10        ks10-adv-updates
nghttp2-libs.x86_64               1.43.0-5.el9_4.3                 baseos
openssl.x86_64                    1:3.0.7-27.el9                   baseos
openssl-libs.x86_64               1:3.0.7-27.el9                   baseos
tzdata.noarch                     2024a-1.el9                      baseos
Obsoleting Packages
grub2-tools.x86_64                1:2.06-80.el9                    baseos
    grub2-tools.x86_64            1:2.06-77.el9                    @baseos
`;

describe('system.updates parsers', () => {
  test('apt-get -s upgrade: one Inst line per update, security by origin', () => {
    const d = parseAptSimulation(APT_SAMPLE);
    expect(d.pending).toBe(6);
    expect(d.security).toBe(3);
    expect(d.securityPackages).toEqual(['libgcrypt20-dev', 'libgcrypt20', 'liblzma5']);
    const u = parseAptSimulation(UBUNTU_SAMPLE);
    expect(u).toMatchObject({ pending: 3, security: 2, securityPackages: ['libssl3', 'linux-image-generic'] });
    expect(parseAptSimulation('Reading package lists...\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n').pending).toBe(0);
  });

  test('dnf updateinfo and check-update', () => {
    expect(parseUpdateinfoSecurity(DNF_SECURITY_SAMPLE)).toEqual([
      'openssl-1:3.0.7-27.el9.x86_64',
      'openssl-libs-1:3.0.7-27.el9.x86_64',
      'nghttp2-libs-1.43.0-5.el9_4.3.x86_64',
      'kernel-4.19.90-89.11.v2401.ky10.x86_64',
    ]);
    // yum on CentOS 7 ends its list with a note that is not an advisory.
    expect(parseUpdateinfoSecurity('RHSA-2019:1234 important/Sec. bash-4.2.46-34.el7.x86_64\nupdateinfo list done\n')).toHaveLength(1);
    expect(parseCheckUpdate(DNF_CHECK_UPDATE_SAMPLE)).toEqual(['kernel.x86_64', 'nghttp2-libs.x86_64', 'openssl.x86_64', 'openssl-libs.x86_64', 'tzdata.noarch']);
  });

  test('without apt-get the check asks dnf (fixed argv, a timeout), and judges the security count', async () => {
    const calls: Array<{ command: string; args: string[]; timeoutMs?: number }> = [];
    const answer = (r: Partial<ExecResult>): ExecResult => ({ code: 0, stdout: '', stderr: '', timedOut: false, ...r });
    const fake: Executor = {
      kind: 'local',
      async exec(command, args, opts) {
        calls.push({ command, args, timeoutMs: opts?.timeoutMs });
        if (command === 'apt-get') return answer({ code: null, stderr: 'spawn apt-get ENOENT' });
        if (args.includes('updateinfo')) return answer({ stdout: DNF_SECURITY_SAMPLE });
        return answer({ code: 100, stdout: DNF_CHECK_UPDATE_SAMPLE });
      },
      readFile: () => Promise.reject(new Error('not used')),
    };
    const ctx = testCheckContext({ exec: fake });
    let r = await runCheck(updates, ctx, {});
    expect(calls.map((c) => [c.command, ...c.args].join(' '))).toEqual([
      'apt-get -s -o Debug::NoLocking=1 upgrade',
      'dnf -q updateinfo list --security',
      'dnf -q check-update',
    ]);
    expect(calls.every((c) => c.timeoutMs === 25_000)).toBe(true);
    expect(r.status).toBe('WARNING');
    expect(r.metrics![0]).toMatchObject({ measurement: 'updates', fields: { pending: 5, security: 4 } });
    expect(renderCheckMessage('zh', r.message, r.summary)).toBe('5 个待安装更新，其中安全更新 4 个（dnf）');
    expect(r.summary).toBe('5 pending updates, 4 of them security (dnf)');
    r = await runCheck(updates, ctx, { securityCritCount: 4 });
    expect(r.status).toBe('CRITICAL');
    r = await runCheck(updates, ctx, { securityWarnCount: 5, securityCritCount: 9 });
    expect(r.status).toBe('OK');
    r = await runCheck(updates, ctx, { securityWarnCount: 5, securityCritCount: 9, pendingWarnCount: 5 });
    expect(r.status).toBe('WARNING');

    // No package manager at all: could not judge.
    const none: Executor = { ...fake, exec: async () => answer({ code: 127, stderr: 'not found' }) };
    r = await runCheck(updates, testCheckContext({ exec: none }), {});
    expect(r.status).toBe('UNKNOWN');
    expect(renderCheckMessage('zh', r.message, r.summary)).toBe('未找到软件包管理器（已尝试 apt-get, dnf, yum）');
  });
});

describe('system.updates on this machine', () => {
  test('the count is the number of Inst lines the real apt-get -s upgrade prints', async () => {
    // One real run: the test reads the very output the check parsed, and counts it its own way.
    const local = localExecutor();
    let seen: ExecResult | undefined;
    const recording: Executor = {
      ...local,
      async exec(command, args, opts) {
        const r = await local.exec(command, args, opts);
        if (command === 'apt-get') seen = r;
        return r;
      },
    };
    const r = await runCheck(updates, testCheckContext({ exec: recording }), {});
    expect(seen, 'apt-get ran').toBeDefined();
    expect(seen!.code).toBe(0);
    const inst = seen!.stdout.split('\n').filter((l) => l.startsWith('Inst '));
    const security = inst.filter((l) => /\(.*security.*\)/i.test(l));
    expect(r.metrics![0]!.fields).toEqual({ pending: inst.length, security: security.length });
    expect(r.status).toBe(security.length >= 20 ? 'CRITICAL' : security.length >= 1 ? 'WARNING' : 'OK');
    const zh = renderCheckMessage('zh', r.message, r.summary);
    expect(zh).toBe(inst.length ? `${inst.length} 个待安装更新，其中安全更新 ${security.length} 个（apt）` : '没有待安装的更新（apt）');
  }, 30_000);
});
