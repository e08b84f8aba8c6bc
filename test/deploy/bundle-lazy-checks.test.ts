import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAgent, type AgentBuild } from '../../deploy/build-agent.js';
import { CHECK_LOADERS } from '../../checks/catalog.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The agent bundle is split: each check, and each database or SNMP driver, is a chunk read on first use. Built from
 * a small entry (fixtures/lazy-checks-entry.ts) the way the agent is built, every check must load from its chunk and
 * the drivers must work as they do under Node (a CommonJS driver's named exports, `const { Redis } = await
 * import('ioredis')`, were undefined in a split bundle until build-agent's interop plugin).
 */
describe('checks in the split agent bundle', () => {
  const out = tempDir('bundle-lazy');
  let b: AgentBuild;

  beforeAll(async () => {
    b = await buildAgent({ entry: join(import.meta.dirname, 'fixtures', 'lazy-checks-entry.ts'), outDir: out.path, version: '1.2.3-lazy' });
  });
  afterAll(() => out.remove());

  test('every check of the catalog loads from the bundle alone, and a driver check reaches its driver', () => {
    const r = spawnSync(process.execPath, [join(b.folder, 'patrol-agent.mjs')], { cwd: out.path, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const said = JSON.parse(r.stdout) as { version: string; loaded: Record<string, string>; results: Record<string, { status: string; summary: string }> };
    expect(said.version).toBe('1.2.3-lazy');
    expect(said.loaded).toEqual(Object.fromEntries(Object.keys(CHECK_LOADERS).map((id) => [id, id])));
    for (const [checkId, result] of Object.entries(said.results)) {
      // Nothing listens on the port: each driver must get as far as trying, and say so.
      expect(result.status, `${checkId}: ${result.summary}`).toBe('CRITICAL');
      expect(result.summary, checkId).not.toMatch(/not a constructor|not a function|cannot read properties|check failed/i);
    }
  });

  test('an agent running linux-base does not read the code of the other checks: each check is a file of its own', () => {
    const chunks = readdirSync(join(b.folder, 'lib'));
    for (const name of ['redis', 'postgres', 'mysql', 'snmp-device', 'nagios', 'log-pattern']) {
      expect(chunks.some((c) => c.startsWith(`${name}-`)), name).toBe(true);
    }
    // The agent's own chunk does not hold a driver.
    const agentChunk = /import\("\.\/lib\/([^"]+)"\)/.exec(readFileSync(join(b.folder, 'patrol-agent.mjs'), 'utf8'))?.[1];
    expect(agentChunk).toBeDefined();
    expect(readFileSync(join(b.folder, 'lib', agentChunk!), 'utf8')).not.toMatch(/ioredis|mysql2|snmp-native/);
  });
});
