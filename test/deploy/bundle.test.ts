import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { AGENT_NODE_FLAGS, buildAgent, type AgentBuild } from '../../deploy/build-agent.js';
import { openBundle, readBundleFile } from '../../deploy/bundle.js';
import { CRON_FILTER_AWK, cronLines, renderUnit } from '../../deploy/agent-install.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The agent tarball: self-contained JavaScript (an entry file and its chunks) that runs outside the repository, plus its service files. */
describe('agent bundle', () => {
  const out = tempDir('bundle');
  const host = tempDir('bundle-host'); // stands in for a customer host: no node_modules anywhere above it
  let b: AgentBuild;
  let unpacked: string;

  beforeAll(async () => {
    b = await buildAgent({ version: '1.2.3-test', outDir: out.path });
    execFileSync('tar', ['-xzf', b.tarball, '-C', host.path]);
    unpacked = join(host.path, 'patrol-agent-1.2.3-test');
  });
  afterAll(() => {
    out.remove();
    host.remove();
  });

  test('the tarball is named by version and holds the bundle, unit, config template and scripts', () => {
    expect(b.tarball).toBe(join(out.path, 'patrol-agent-1.2.3-test.tar.gz'));
    const all = execFileSync('tar', ['-tzf', b.tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    // lib/ holds the code in chunks (the agent, each check, each driver), named by content hash.
    const chunks = all.filter((f) => f.startsWith('patrol-agent-1.2.3-test/lib/'));
    expect(all.filter((f) => !chunks.includes(f))).toEqual(
      [
        'patrol-agent-1.2.3-test/',
        'patrol-agent-1.2.3-test/VERSION',
        'patrol-agent-1.2.3-test/agent.json.example',
        'patrol-agent-1.2.3-test/patrol-agent.mjs',
        'patrol-agent-1.2.3-test/patrol-agent.service',
        'patrol-agent-1.2.3-test/start.sh',
        'patrol-agent-1.2.3-test/stop.sh',
        'patrol-agent-1.2.3-test/uninstall.sh',
      ].sort(),
    );
    expect(chunks).toContain('patrol-agent-1.2.3-test/lib/');
    expect(chunks.every((f) => f.endsWith('/lib/') || /\/lib\/[\w.-]+\.mjs$/.test(f))).toBe(true);
    expect(openBundle(b.tarball)).toMatchObject({ version: '1.2.3-test', topFolder: 'patrol-agent-1.2.3-test' });
  });

  test('the bundle runs on its own and reports the version it was built with', () => {
    const r = spawnSync(process.execPath, [join(unpacked, 'patrol-agent.mjs'), '--version'], { cwd: host.path, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('1.2.3-test');
    // Nothing is loaded from outside the bundle: every import is one of Node's own modules or a file of the bundle.
    const files = ['patrol-agent.mjs', ...readdirSync(join(unpacked, 'lib')).map((f) => `lib/${f}`)];
    let imports = 0;
    for (const f of files) {
      const text = readFileSync(join(unpacked, f), 'utf8');
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["']([\w@:/.-]+)["']/g)) {
        const spec = m[1]!;
        imports++;
        if (spec.startsWith('.')) expect(existsSync(join(unpacked, dirname(f), spec)), `${f} imports ${spec}`).toBe(true);
        else expect(spec.startsWith('node:') || builtinModules.includes(spec), `${f} imports ${spec}`).toBe(true);
      }
    }
    expect(imports).toBeGreaterThan(files.length);
  });

  test('an older Node.js is refused with a sentence, not a stack trace', () => {
    const pretend = join(host.path, 'pretend-node16.mjs');
    writeFileSync(pretend, "Object.defineProperty(process.versions, 'node', { value: '16.20.2' });\n");
    const r = spawnSync(process.execPath, ['--import', pretend, join(unpacked, 'patrol-agent.mjs'), '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe('patrol-agent: Node.js v16.20.2 is too old; the Patrol agent needs v18.0.0 or newer.');
  });

  test('the systemd unit runs the agent as its own unprivileged user, restarts it, and keeps state in /var/lib', () => {
    const unit = readBundleFile(openBundle(b.tarball), 'patrol-agent.service');
    expect(unit).toBe(readFileSync(join(unpacked, 'patrol-agent.service'), 'utf8'));
    for (const line of ['User=patrol', 'Restart=always', 'StateDirectory=patrol-agent', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'CapabilityBoundingSet=']) {
      expect(unit.split('\n')).toContain(line);
    }
    expect(unit.split('\n')).toContain(`ExecStart=/usr/bin/node ${AGENT_NODE_FLAGS.join(' ')} /opt/patrol-agent/patrol-agent.mjs --config /opt/patrol-agent/agent.json`);
    // Secrets of checks (database passwords named by passwordEnv) come from the install folder's agent.env, if there.
    expect(unit.split('\n')).toContain('EnvironmentFile=-/opt/patrol-agent/agent.env');
    // patrol deploy points ExecStart at the host's Node.js and install folder, and the env file at that folder.
    const rendered = renderUnit(unit, { nodePath: '/usr/local/bin/node', installDir: '/srv/patrol' });
    expect(rendered.split('\n')).toContain(`ExecStart=/usr/local/bin/node ${AGENT_NODE_FLAGS.join(' ')} /srv/patrol/patrol-agent.mjs --config /srv/patrol/agent.json`);
    expect(rendered.split('\n')).toContain('EnvironmentFile=-/srv/patrol/agent.env');
    // Only those two lines change.
    expect(rendered.split('\n').filter((l, i) => l !== unit.split('\n')[i])).toHaveLength(2);
    const example = JSON.parse(readFileSync(join(unpacked, 'agent.json.example'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(example).sort()).toEqual(['collector', 'enroll', 'name', 'spoolLimitMb', 'stateDir']);
  });

  test('start.sh / stop.sh run the agent in the background with a pid file', async () => {
    // Not enrolled and no collector: start.sh must notice the agent exiting at once and say why.
    writeFileSync(join(unpacked, 'agent.json'), JSON.stringify({ collector: 'ws://127.0.0.1:1/agent', stateDir: join(unpacked, 'state'), name: 't' }));
    const r = spawnSync('sh', [join(unpacked, 'start.sh')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('not enrolled yet');
    expect(spawnSync('sh', [join(unpacked, 'stop.sh')], { encoding: 'utf8' }).stdout.trim()).toBe('patrol-agent not running');
  });

  test('stop.sh leaves a "stopped" marker: start.sh --from-cron (the crontab lines) then does nothing, a plain start.sh clears it', () => {
    const marker = join(unpacked, 'run', 'stopped');
    spawnSync('sh', [join(unpacked, 'stop.sh')], { encoding: 'utf8' });
    expect(existsSync(marker)).toBe(true);
    const fromCron = spawnSync('sh', [join(unpacked, 'start.sh'), '--from-cron'], { encoding: 'utf8' });
    expect([fromCron.status, fromCron.stdout, fromCron.stderr]).toEqual([0, '', '']);
    expect(existsSync(marker)).toBe(true);
    // By hand: the marker goes, and it starts the program (here one that exits at once, so nothing is left running).
    const byHand = spawnSync('sh', [join(unpacked, 'start.sh')], { encoding: 'utf8', env: { ...process.env, PATROL_NODE: '/bin/false' } });
    expect(byHand.status).toBe(1);
    expect(existsSync(marker)).toBe(false);
    expect(spawnSync('sh', [join(unpacked, 'start.sh'), '--bogus'], { encoding: 'utf8' }).status).toBe(2);
  });

  test('start.sh exports agent.env to the agent (the file the unit reads), values as written, and warns when others may read it', () => {
    const envFile = join(unpacked, 'agent.env');
    const out = join(host.path, 'env-seen.json');
    // Stands in for Node.js: records what the agent would find in process.env, then exits.
    const fakeNode = join(host.path, 'fake-node.mjs');
    writeFileSync(
      fakeNode,
      `#!${process.execPath}\nimport { writeFileSync } from 'node:fs';\n` +
        `writeFileSync(process.env.PATROL_TEST_ENV_OUT, JSON.stringify({ pg: process.env.PG_MONITOR_PASSWORD ?? null, other: process.env.OTHER_SECRET ?? null, argv: process.argv.slice(2) }));\n`,
    );
    chmodSync(fakeNode, 0o755);
    const start = () => {
      rmSync(out, { force: true });
      const r = spawnSync('sh', [join(unpacked, 'start.sh')], { encoding: 'utf8', env: { ...process.env, PATROL_NODE: fakeNode, PATROL_TEST_ENV_OUT: out } });
      expect(r.status).toBe(1); // the stand-in exits at once, as start.sh then reports
      return { stderr: r.stderr, seen: JSON.parse(readFileSync(out, 'utf8')) as { pg: string | null; other: string | null; argv: string[] } };
    };
    try {
      rmSync(envFile, { force: true });
      const without = start();
      // The stand-in is started as node would be: with the agent's Node.js flags first (the unit's too).
      expect(without.seen).toMatchObject({ pg: null, other: null, argv: [...AGENT_NODE_FLAGS, join(unpacked, 'patrol-agent.mjs'), '--config', join(unpacked, 'agent.json')] });

      writeFileSync(envFile, `# database passwords for checks\nPG_MONITOR_PASSWORD='s3cr;t $HOME "x"'\nOTHER_SECRET=plain\n`, { mode: 0o600 });
      chmodSync(envFile, 0o600);
      const loaded = start();
      expect(loaded.seen).toMatchObject({ pg: 's3cr;t $HOME "x"', other: 'plain' });
      expect(loaded.stderr).not.toContain('warning');

      chmodSync(envFile, 0o644);
      const readable = start();
      expect(readable.seen.pg).toBe('s3cr;t $HOME "x"');
      expect(readable.stderr).toContain(`warning: ${envFile} holds secrets: make it mode 0600`);
      expect(readable.stderr).not.toContain('s3cr;t');
      if (process.getuid?.() === 0) {
        // 0600 but another user's: that user could change what the agent runs with.
        chmodSync(envFile, 0o600);
        chownSync(envFile, 65534, 65534);
        expect(start().stderr).toContain('holds secrets: make it mode 0600 and owned by root');
      }
    } finally {
      rmSync(envFile, { force: true });
    }
  });

  test('uninstall.sh removes crontab lines with the same filter deploy uses; an unsafe folder never reaches a crontab line', () => {
    expect(readFileSync(join(unpacked, 'uninstall.sh'), 'utf8')).toContain(`'${CRON_FILTER_AWK}'`);
    expect(cronLines('/srv/patrol')).toEqual([
      '# patrol-agent /srv/patrol',
      '@reboot /srv/patrol/start.sh --from-cron >/dev/null 2>&1',
      '*/5 * * * * /srv/patrol/start.sh --from-cron >/dev/null 2>&1',
    ]);
    expect(() => cronLines('/srv/pat rol')).toThrow(/cannot go into a crontab line/);
    expect(() => cronLines('/srv/50%')).toThrow(/cannot go into a crontab line/);
  });
});
