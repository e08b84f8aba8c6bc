import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import nagios from '../../../checks/script/nagios.js';
import { runCheck, testCheckContext } from '../../helpers/check-context.js';
import { ensureDebianPackage } from '../../helpers/system-packages.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { execPolicy } from '../../../checks/exec/exec-policy.js';

const dir = tempDir('nagios');
// This host's agent.json allows the test's own plugin folder (besides the monitoring-plugins folders).
const pluginContext = () => ({ ...testCheckContext(), execPolicy: execPolicy({ allowCommandDirs: [dir.path] }, 'test agent.json') });
let checkDisk: string;
let checkLoad: string;

function script(name: string, body: string): string {
  const path = join(dir.path, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

beforeAll(() => {
  checkDisk = ensureDebianPackage('monitoring-plugins-basic', '/usr/lib/nagios/plugins/check_disk');
  checkLoad = ensureDebianPackage('monitoring-plugins-basic', '/usr/lib/nagios/plugins/check_load');
});
afterAll(() => dir.remove());

function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
  } catch {
    return 'gone';
  }
}

describe('script.nagios with real monitoring-plugins', () => {
  test('check_disk on / gives OK and the used bytes of / as a metric', async () => {
    const r = await runCheck(nagios, pluginContext(), { command: checkDisk, args: ['-w', '1%', '-c', '1%', '-p', '/'] });
    expect(r.status).toBe('OK');
    expect(r.summary).toMatch(/^DISK OK/);
    const m = r.metrics!.find((x) => x.tags?.label === '/');
    expect(m?.measurement).toBe('nagios');
    expect(m?.tags?.unit).toBe('B');
    // The same figure df reports, within what may change while the test runs.
    const df = await testCheckContext().exec.exec('df', ['-P', '-B1', '/']);
    const dfUsed = Number(df.stdout.split('\n')[1]!.trim().split(/\s+/)[2]);
    expect(Math.abs((m!.fields.value as number) - dfUsed)).toBeLessThan(64 * 1024 ** 2);
    expect(m!.fields.max).toBeGreaterThan(m!.fields.value as number);
  });

  test('check_disk with an impossible threshold is CRITICAL', async () => {
    // Free space can never be above 100%: -c 100% means "critical unless everything is free".
    const r = await runCheck(nagios, pluginContext(), { command: checkDisk, args: ['-w', '100%', '-c', '100%', '-p', '/'] });
    expect(r.status).toBe('CRITICAL');
    expect(r.summary).toMatch(/^DISK CRITICAL/);
  });

  test('check_load maps its three load figures to metrics with thresholds', async () => {
    const r = await runCheck(nagios, pluginContext(), { command: checkLoad, args: ['-w', '500,400,300', '-c', '1000,800,600'] });
    expect(r.status).toBe('OK');
    const labels = r.metrics!.map((m) => m.tags?.label);
    expect(labels).toEqual(['load1', 'load5', 'load15']);
    expect(r.metrics![0]!.fields).toMatchObject({ warn: 500, crit: 1000, min: 0 });
    expect(r.metrics![0]!.tags).not.toHaveProperty('unit');
  });

  test('a plugin that hangs is killed at the timeout and gives UNKNOWN', async () => {
    const pidFile = join(dir.path, 'hang.pid');
    // The sleep is a child of the shell: the whole process group must die, not only the shell.
    const hang = script('check_hang', `sleep 60 &\necho $$ $! > ${pidFile}\nwait`);
    const t0 = performance.now();
    const r = await runCheck(nagios, pluginContext(), { command: hang, timeoutSec: 0.5 });
    expect(r.status).toBe('UNKNOWN');
    expect(r.summary).toBe('check_hang timed out after 0.5s and was killed');
    expect(performance.now() - t0).toBeLessThan(20_000);
    const pids = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number);
    expect(pids).toHaveLength(2);
    // Killed means gone, or a zombie waiting for PID 1 to reap it (this machine's init is slow to reap).
    for (const pid of pids) expect(processState(pid)).toMatch(/^(gone|Z)$/);
  });

  test('multi-line output: summary, long output in details, perfdata from every line', async () => {
    const multi = script(
      'check_multi',
      [
        `echo "APP WARNING - 2 of 3 queues slow | 'queue depth'=42;10;50;0; latency=250ms;200;500"`,
        `echo "queue orders: 42 waiting"`,
        `echo "queue mails: 3 waiting | mails=3;;;0"`,
        `echo "'spool size'=1.5GB;2;3"`,
        'exit 1',
      ].join('\n'),
    );
    const r = await runCheck(nagios, pluginContext(), { command: multi });
    expect(r.status).toBe('WARNING');
    expect(r.summary).toBe('APP WARNING - 2 of 3 queues slow');
    expect(r.details).toBe('queue orders: 42 waiting\nqueue mails: 3 waiting');
    const byLabel = Object.fromEntries(r.metrics!.map((m) => [m.tags!.label, m]));
    expect(Object.keys(byLabel)).toEqual(['queue depth', 'latency', 'mails', 'spool size']);
    expect(byLabel.latency!.fields).toEqual({ value: 0.25, warn: 0.2, crit: 0.5 });
    expect(byLabel.latency!.tags!.unit).toBe('s');
    expect(byLabel['spool size']!.fields.value).toBe(1.5 * 1024 ** 3);
  });

  test('exit codes 2, 3 and above map to CRITICAL, UNKNOWN, UNKNOWN', async () => {
    const ctx = pluginContext();
    expect((await runCheck(nagios, ctx, { command: script('c2', 'echo BAD; exit 2') })).status).toBe('CRITICAL');
    expect((await runCheck(nagios, ctx, { command: script('c3', 'echo WHAT; exit 3') })).status).toBe('UNKNOWN');
    const crashed = await runCheck(nagios, ctx, { command: script('c127', 'echo oops >&2; exit 127') });
    expect(crashed).toMatchObject({ status: 'UNKNOWN', summary: 'oops (exit code 127)' });
  });

  test('arguments are passed as argv, never through a shell', async () => {
    const echoArgs = script('check_args', 'echo "OK - got $# args: $1"');
    const r = await runCheck(nagios, pluginContext(), { command: echoArgs, args: ['a b; rm -rf /tmp/x', '$(id)'] });
    expect(r).toMatchObject({ status: 'OK', summary: 'OK - got 2 args: a b; rm -rf /tmp/x' });
  });

  test('a plugin that does not exist is UNKNOWN with the reason', async () => {
    const r = await runCheck(nagios, pluginContext(), { command: join(dir.path, 'no_such_plugin') });
    expect(r.status).toBe('UNKNOWN');
    expect(r.summary).toMatch(/^not run: .*no_such_plugin does not exist on this host/);
    expect(r.message).toMatchObject({ key: 'exec.refused.notFound' });
  });
});
