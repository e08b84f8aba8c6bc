import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listCheckStates } from '../../collector/db/check-states.js';
import { listHosts } from '../../collector/db/hosts.js';
import { remoteChecksPlugin } from '../../collector/remote/plugin.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { waitFor } from '../helpers/ports.js';
import { ensureDebianPackage } from '../helpers/system-packages.js';
import { tempDir } from '../helpers/temp-dir.js';
import { apiClient } from '../remote/api.js';

/**
 * Issue 11, item 1: a real agent process (bin/patrol-agent.js) runs a check's command only if its own agent.json
 * allows it. The collector (an admin's template, as an attacker with the collector would) sends a shell with -c,
 * an LD_PRELOAD, a link out of an allowed folder and a program outside every folder; each is UNKNOWN with the
 * rule and agent.json named, and none of them ran (their marker files never appear). The monitoring-plugins
 * folder and the folder agent.json adds do run; adding an exact command line to agent.json makes that one run.
 */
describe('an agent runs only the commands its own agent.json allows', () => {
  const work = tempDir('exec-agent');
  const pluginDir = join(work.path, 'plugins');
  const outside = join(work.path, 'outside');
  const stateDir = join(work.path, 'state');
  const configPath = join(work.path, 'agent.json');
  const marker = (name: string) => join(work.path, `marker-${name}`);
  let collector: TestCollector;
  let admin: ReturnType<typeof apiClient>;
  let agent: ChildProcess | undefined;
  let hostId: string;
  let checkDisk: string;

  const states = () => Object.fromEntries(listCheckStates(collector.db, { hostId }).map((s) => [s.name, s]));
  const writeConfig = (extra: Record<string, unknown>) =>
    writeFileSync(configPath, JSON.stringify({ collector: collector.wsUrl, stateDir, name: 'exec-host', allowCommandDirs: [pluginDir], ...extra }, null, 2));
  const startAgent = () => {
    agent = spawn(process.execPath, ['bin/patrol-agent.js', '--config', configPath], { env: { ...process.env, PATROL_LOG_LEVEL: 'error' }, stdio: ['ignore', 'ignore', 'inherit'] });
  };
  const stopAgent = async () => {
    const a = agent;
    agent = undefined;
    if (a && a.exitCode === null) await new Promise((r) => (a.once('exit', r), a.kill('SIGTERM')));
  };
  const script = (path: string, body: string) => {
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
  };
  const nagios = (name: string, params: Record<string, unknown>) => ({ name, checkId: 'script.nagios', params, intervalSec: 1, timeoutSec: 10 });

  beforeAll(async () => {
    checkDisk = ensureDebianPackage('monitoring-plugins-basic', '/usr/lib/nagios/plugins/check_disk');
    mkdirSync(pluginDir);
    mkdirSync(outside);
    // Outside every allowed folder: touches the file named by its argument.
    script(join(outside, 'check_touch'), 'touch "$1"\necho "OK - touched"');
    // In the folder agent.json adds.
    script(join(pluginDir, 'check_own'), "echo \"OK - own plugin | items=3;5;9;0\"");
    // In an allowed folder, but leading out of it.
    symlinkSync(join(outside, 'check_touch'), join(pluginDir, 'check_link'));
    collector = await startTestCollector({ batchIntervalSec: 1 }, { plugins: [remoteChecksPlugin({ pollEveryMs: 60_000 })] });
    admin = apiClient(collector.url, 'admin', collector.adminPassword!);
    writeConfig({ enroll: collector.token('acme') });
    startAgent();
    hostId = (await waitFor(() => listHosts(collector.db).find((h) => h.name === 'exec-host' && h.connected), 'the agent to enroll and connect', 60_000)).id;
  }, 120_000);

  afterAll(async () => {
    await stopAgent();
    await collector?.destroy();
    work.remove();
  });

  test('a shell, LD_PRELOAD, a link out of a folder and a program elsewhere are refused and never run; allowed plugins run', async () => {
    const tpl = await admin('POST', '/api/templates', {
      customerId: 'acme',
      name: 'hostile-and-fine',
      checks: [
        nagios('shell', { command: '/bin/sh', args: ['-c', `touch ${marker('shell')}`] }),
        nagios('dotdot', { command: `${pluginDir}/../../../../bin/sh`, args: ['-c', `touch ${marker('dotdot')}`] }),
        nagios('preload', { command: checkDisk, args: ['-w', '1%', '-c', '1%', '-p', '/'], env: { LD_PRELOAD: join(outside, 'evil.so') } }),
        nagios('link', { command: join(pluginDir, 'check_link'), args: [marker('link')] }),
        nagios('elsewhere', { command: join(outside, 'check_touch'), args: [marker('elsewhere')] }),
        nagios('disk', { command: checkDisk, args: ['-w', '1%', '-c', '1%', '-p', '/'] }),
        nagios('own', { command: join(pluginDir, 'check_own') }),
      ],
    });
    expect(tpl.status, JSON.stringify(tpl.json)).toBe(201);
    const put = await admin('PUT', `/api/hosts/${hostId}/assignments`, { templates: [tpl.json.template.id] });
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    const names = ['shell', 'dotdot', 'preload', 'link', 'elsewhere', 'disk', 'own'];
    const s = await waitFor(() => (names.every((n) => states()[n]) ? states() : undefined), 'results of every check from the agent', 60_000);

    expect(s.shell).toMatchObject({ status: 'UNKNOWN', summary: expect.stringMatching(/^not run: \/bin\/sh is not in an allowed folder/) });
    expect(s.shell!.summary).toContain(configPath);
    expect(s.dotdot).toMatchObject({ status: 'UNKNOWN', summary: expect.stringMatching(/is not in an allowed folder/) });
    expect(s.preload).toMatchObject({ status: 'UNKNOWN', summary: expect.stringMatching(/^not run: environment variable LD_PRELOAD is not allowed/) });
    expect(s.link).toMatchObject({ status: 'UNKNOWN', summary: expect.stringContaining(`leads to ${join(outside, 'check_touch')}, outside the allowed folders`) });
    expect(s.elsewhere).toMatchObject({ status: 'UNKNOWN', summary: expect.stringMatching(/is not in an allowed folder .*allowCommands in /) });
    expect(s.disk!.summary, s.disk!.summary).toMatch(/^DISK (OK|WARNING|CRITICAL)/);
    expect(s.own).toMatchObject({ status: 'OK', summary: 'OK - own plugin' });

    // They are tried every second: after a few more rounds still nothing of theirs ran.
    const runsBefore = s.shell!.lastRunAt;
    await waitFor(() => (states().shell!.lastRunAt ?? 0) > (runsBefore ?? 0) + 2000, 'more rounds of the refused checks', 30_000);
    for (const m of ['shell', 'dotdot', 'link', 'elsewhere']) expect(existsSync(marker(m)), m).toBe(false);
  });

  test('an exact command line added to agent.json (after a restart) makes that command run, and only with those arguments', async () => {
    const tpl = await admin('POST', '/api/templates', {
      customerId: 'acme',
      name: 'exact-line',
      checks: [
        nagios('exact', { command: join(outside, 'check_touch'), args: [marker('exact')] }),
        nagios('other-args', { command: join(outside, 'check_touch'), args: [marker('other-args')] }),
      ],
    });
    expect(tpl.status).toBe(201);
    expect((await admin('PUT', `/api/hosts/${hostId}/assignments`, { templates: [tpl.json.template.id] })).status).toBe(200);
    const before = await waitFor(() => (states().exact && states()['other-args'] ? states() : undefined), 'the exact-line checks, refused', 60_000);
    expect(before.exact).toMatchObject({ status: 'UNKNOWN', summary: expect.stringMatching(/is not in an allowed folder/) });
    expect(existsSync(marker('exact'))).toBe(false);

    await stopAgent();
    writeConfig({ allowCommands: [`${join(outside, 'check_touch')} ${marker('exact')}`] });
    startAgent();
    const after = await waitFor(() => (states().exact?.status === 'OK' ? states() : undefined), 'the allowed line to run', 60_000);
    expect(after.exact!.summary).toBe('OK - touched');
    expect(existsSync(marker('exact'))).toBe(true);
    // The same program with other arguments is still refused.
    expect(after['other-args']).toMatchObject({ status: 'UNKNOWN' });
    expect(existsSync(marker('other-args'))).toBe(false);
  });
});
