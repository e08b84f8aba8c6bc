import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { allowListConfig } from '../../deploy/agent-files.js';
import { authorizeExec, DEFAULT_EXEC_POLICY, execPolicy, isRunner } from '../../checks/exec/exec-policy.js';
import { localExecutor } from '../../checks/exec/local-executor.js';
import { renderRefusal } from '../../checks/exec/refusal.js';
import { hostKindProblem } from '../../collector/assignment/validate.js';
import { ensureDebianPackage } from '../helpers/system-packages.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The rules of the allow-list on this machine's real files (links, `..`, missing plugins), and their words. */
describe('the exec allow-list', () => {
  const dir = tempDir('exec-allow');
  const exec = localExecutor();
  const checkDisk = ensureDebianPackage('monitoring-plugins-basic', '/usr/lib/nagios/plugins/check_disk');
  afterAll(() => dir.remove());

  test('plugin folder programs run with any arguments; shells, wrappers and file writers there do not', async () => {
    expect(await authorizeExec(DEFAULT_EXEC_POLICY, { command: checkDisk, args: ['-w', '1%', '-p', '/'] }, exec)).toBeUndefined();
    // Plugins that run other programs (negate, urlize), pass options to ssh or apt-get, or copy a log anywhere.
    for (const name of ['negate', 'urlize', 'check_by_ssh', 'check_apt', 'check_log']) {
      const r = await authorizeExec(DEFAULT_EXEC_POLICY, { command: `/usr/lib/nagios/plugins/${name}`, args: [] }, exec);
      expect(r?.message, name).toMatchObject({ key: 'exec.refused.runner' });
    }
    for (const name of ['sh', 'bash', 'busybox', 'env', 'python3', 'perl5.36', 'node', 'sudo', 'xargs', 'tee']) expect(isRunner(`/x/${name}`), name).toBe(true);
    expect(isRunner('/x/check_disk')).toBe(false);
  });

  test('links and .. are resolved first; a folder that is itself a link counts as where it points', async () => {
    const real = join(dir.path, 'real-plugins');
    mkdirSync(real);
    writeFileSync(join(real, 'check_x'), '#!/bin/sh\necho OK\n');
    chmodSync(join(real, 'check_x'), 0o755);
    symlinkSync(real, join(dir.path, 'plugins'));
    const policy = execPolicy({ allowCommandDirs: [join(dir.path, 'plugins')] }, '/etc/patrol/agent.json');
    expect(await authorizeExec(policy, { command: join(dir.path, 'plugins', 'check_x'), args: [] }, exec)).toBeUndefined();
    // A link inside the folder to a shell elsewhere: refused as what it is.
    symlinkSync('/bin/sh', join(real, 'check_sh'));
    expect((await authorizeExec(policy, { command: join(dir.path, 'plugins', 'check_sh'), args: ['-c', 'id'] }, exec))?.message?.key).toBe('exec.refused.runner');
    // `dir/link/..` is where the link points, then up: the kernel's reading, not the text's.
    mkdirSync(join(dir.path, 'elsewhere', 'deep'), { recursive: true });
    writeFileSync(join(dir.path, 'elsewhere', 'check_x'), '#!/bin/sh\necho EVIL\n');
    chmodSync(join(dir.path, 'elsewhere', 'check_x'), 0o755);
    symlinkSync(join(dir.path, 'elsewhere', 'deep'), join(real, 'up'));
    const sneaky = await authorizeExec(policy, { command: `${join(dir.path, 'plugins', 'up')}/../check_x`, args: [] }, exec);
    expect(sneaky?.message).toMatchObject({ key: 'exec.refused.symlink', values: { resolved: join(dir.path, 'elsewhere', 'check_x') } });
    // Missing: said so only inside an allowed folder; elsewhere nothing tells whether a file exists.
    expect((await authorizeExec(policy, { command: join(dir.path, 'plugins', 'nope'), args: [] }, exec))?.message?.key).toBe('exec.refused.notFound');
    expect((await authorizeExec(policy, { command: '/etc/nope', args: [] }, exec))?.message?.key).toBe('exec.refused.outside');
    expect((await authorizeExec(policy, { command: 'check_x', args: [] }, exec))?.message?.key).toBe('exec.refused.relative');
  });

  test('environment: only language and time zone names with plain values, whatever the command line', async () => {
    const exact = execPolicy({ allowCommands: ['/bin/sh -c true'] }, 'agent.json');
    expect(await authorizeExec(exact, { command: '/bin/sh', args: ['-c', 'true'] }, exec)).toBeUndefined();
    expect(await authorizeExec(exact, { command: '/bin/sh', args: ['-c', 'true'], env: { TZ: 'Asia/Shanghai', LANG: 'zh_CN.UTF-8' } }, exec)).toBeUndefined();
    for (const env of [{ LD_PRELOAD: '/tmp/x.so' }, { PATH: '/tmp' }, { NODE_OPTIONS: '--require /tmp/x.js' }, { BASH_ENV: '/tmp/x' }, { LANGUAGE: '../../tmp/x' }, { TZ: '../../../tmp/x' }] as Array<Record<string, string>>) {
      expect((await authorizeExec(exact, { command: '/bin/sh', args: ['-c', 'true'], env }, exec))?.message?.key, JSON.stringify(env)).toBe('exec.refused.env');
    }
    // Exact means exact: one more argument and it is a shell like any other.
    expect((await authorizeExec(exact, { command: '/bin/sh', args: ['-c', 'true', 'x'] }, exec))?.message?.key).toBe('exec.refused.outside');
  });

  test('refusals read in Chinese as well as English, naming the file to change', async () => {
    const r = await authorizeExec(execPolicy({}, '/opt/patrol-agent/agent.json'), { command: '/usr/local/bin/check_y', args: [] }, exec);
    expect(renderRefusal(r!.message!, 'en')).toBe(r!.summary);
    expect(renderRefusal(r!.message!, 'zh')).toMatch(/^未运行：\/usr\/local\/bin\/check_y 不在允许的目录中.*\/opt\/patrol-agent\/agent\.json/);
  });

  test('what a host kind may be given, and which password names where', () => {
    expect(hostKindProblem({ name: 'sw', kind: 'snmp' }, [{ name: 'p', checkId: 'network.ping', params: { host: 'x' } }])?.en).toMatch(/cannot run on SNMP device 'sw'/);
    expect(hostKindProblem({ name: 'sw', kind: 'snmp' }, [{ name: 't', checkId: 'network.tcp', params: { port: 22 } }])).toBeUndefined();
    expect(hostKindProblem({ name: 'db', kind: 'ssh' }, [{ name: 'r', checkId: 'db.redis', params: { passwordEnv: 'REDIS_PW' } }])?.en).toMatch(/starts with PATROL_CHECK_/);
    expect(hostKindProblem({ name: 'db', kind: 'ssh' }, [{ name: 'r', checkId: 'db.redis', params: { passwordEnv: 'PATROL_CHECK_REDIS_PW' } }])).toBeUndefined();
    expect(hostKindProblem({ name: 'db', kind: 'agent' }, [{ name: 'r', checkId: 'db.redis', params: { passwordEnv: 'REDIS_PW' } }])).toBeUndefined();
    expect(hostKindProblem({ name: 'db', kind: 'agent' }, [{ name: 'r', checkId: 'db.redis', params: { passwordEnv: 'PATROL_ENROLL_TOKEN' } }])?.zh).toMatch(/Agent 自身的设置/);
  });

  test('the collector has no way to run a program on its own machine for a host: it never imports the local executor', () => {
    const files = (readdirSync('collector', { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((f) => /checks\/exec\/local-executor/.test(readFileSync(join('collector', f), 'utf8')))).toEqual([]);
  });

  test('patrol deploy --allow-command-dir / --allow-command: keys for agent.json, and the change against what a host has', () => {
    expect(allowListConfig(undefined, { commandDirs: ['/opt/acme/plugins'] })).toEqual({ config: { allowCommandDirs: ['/opt/acme/plugins'] } });
    const installed = { collector: 'wss://c/agent', allowCommandDirs: ['/opt/acme/plugins'], allowCommands: ['/opt/x -v'] };
    expect(allowListConfig(installed, { commandDirs: ['/opt/acme/plugins'] })).toEqual({ config: { allowCommandDirs: ['/opt/acme/plugins'] } });
    expect(allowListConfig(installed, { commands: ['/opt/x -q'] })).toEqual({ config: { allowCommands: ['/opt/x -q'] }, change: 'command allow-list (allowCommands) set' });
    // No flags: the host keeps what it has (hand edits too).
    expect(allowListConfig(installed, {})).toEqual({ config: {} });
  });
});
