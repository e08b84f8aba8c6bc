import { describe, expect, test } from 'vitest';
import { collectorTags, parseInventory } from '../../deploy/inventory.js';
import { nodeVersionProblem } from '../../deploy/node-version.js';
import { formatResultTable } from '../../deploy/result-table.js';
import { apiUrlFromCollector, CollectorApi, waitUntilOnline } from '../../deploy/collector-api.js';
import { mapWithLimit } from '../../deploy/map-with-limit.js';
import { defaultBundlePath } from '../../deploy/bundle.js';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';

describe('inventory', () => {
  test('a host gets defaults, and a relative key path is taken from the inventory folder', () => {
    const [h] = parseInventory('hosts:\n  - { host: db01, user: ops, key: keys/id_ed25519, customer: acme }\n', '/etc/patrol');
    expect(h).toEqual({ host: 'db01', port: 22, user: 'ops', key: '/etc/patrol/keys/id_ed25519', customer: 'acme', installDir: '/opt/patrol-agent', sudo: false });
  });

  test('a mistake names the entry and the field', () => {
    const text = 'hosts:\n  - { host: a, user: ops, key: k, customer: c }\n  - { host: b, user: ops, key: k, installDir: "opt/x" }\n';
    expect(() => parseInventory(text, '/x', 'hosts.yaml')).toThrow(/hosts\.yaml is invalid: hosts\.1\.customer: .*; hosts\.1\.installDir: an absolute path/);
  });

  test('an install folder that could break a shell command is refused', () => {
    expect(() => parseInventory('- { host: a, user: ops, key: k, customer: c, installDir: "/opt/x; rm -rf /" }\n', '/x')).toThrow(/installDir/);
  });

  test('tags and role become the host\'s tags on the collector; without either, deploy leaves its tags alone', () => {
    const [tagged, roleOnly, neither] = parseInventory(
      '- { host: a, user: ops, key: k, customer: c, tags: [db, prod], role: postgres }\n- { host: b, user: ops, key: k, customer: c, role: web }\n- { host: c, user: ops, key: k, customer: c }\n',
      '/x',
    );
    expect(collectorTags(tagged!)).toEqual(['db', 'prod', 'role:postgres']);
    expect(collectorTags(roleOnly!)).toEqual(['role:web']);
    expect(collectorTags(neither!)).toBeUndefined();
    expect(collectorTags({ tags: [] })).toEqual([]);
  });

  test('a tag the collector would refuse is refused in the inventory, naming the entry', () => {
    expect(() => parseInventory('- { host: a, user: ops, key: k, customer: c, tags: ["has space"] }\n', '/x', 'hosts.yaml')).toThrow(/hosts\.0\.tags\.0: a tag of letters/);
    expect(() => parseInventory('- { host: a, user: ops, key: k, customer: c, role: "db/main" }\n', '/x', 'hosts.yaml')).toThrow(/hosts\.0\.role/);
  });

  test('the same host and folder twice is refused', () => {
    expect(() => parseInventory('- { host: a, user: ops, key: k, customer: c }\n- { host: a, user: root, key: k, customer: c }\n', '/x')).toThrow(/twice/);
  });
});

describe('Node.js version', () => {
  test.each([
    ['v20.20.2', undefined],
    ['v18.0.0', undefined],
    ['v22.1.0', undefined],
    ['v16.20.2', 'Node.js v16.20.2 is too old: the Patrol agent needs v18.0.0 or newer'],
    ['v10.24.1', 'Node.js v10.24.1 is too old: the Patrol agent needs v18.0.0 or newer'],
    ['bash: node: not found', 'cannot read the Node.js version from "bash: node: not found"'],
  ])('%s', (v, problem) => expect(nodeVersionProblem(v)).toBe(problem));
});

test('the result table shows every host, failures with their reason, and a count', () => {
  const t = formatResultTable([
    { host: 'db01', ok: true, action: 'installed', version: '1.0.0', service: 'systemd' },
    { host: 'web-long-name', ok: false, reason: 'SSH login refused for ops@web:22 with key /k' },
  ]);
  expect(t.split('\n')).toEqual([
    'HOST           RESULT  ACTION     VERSION  SERVICE  REASON',
    'db01           ok      installed  1.0.0    systemd',
    'web-long-name  failed  -          -        -        SSH login refused for ops@web:22 with key /k',
    '',
    '1 ok, 1 failed',
  ]);
});

test('the API address follows from the collector address', () => {
  expect(apiUrlFromCollector('wss://collector.example:8443/agent')).toBe('https://collector.example:8443');
  expect(apiUrlFromCollector('ws://10.0.0.5:8080/agent')).toBe('http://10.0.0.5:8080');
});

test('waiting for an agent that never comes gives up at the deadline and says what it last saw', async () => {
  // An API that cannot be reached, a clock that jumps 1 s per poll.
  let t = 0;
  const api = new CollectorApi({ url: 'http://127.0.0.1:1', user: 'u', password: 'p' });
  const polls: number[] = [];
  await expect(
    waitUntilOnline(api, { name: 'db01', customerId: 'acme', version: '1.0.0', timeoutMs: 3000, now: () => t, sleep: async (ms) => { polls.push(ms); t += 1000; } }),
  ).rejects.toThrow(/agent not online after 3 s: cannot reach the collector API at http:\/\/127\.0\.0\.1:1/);
  expect(polls).toHaveLength(3);
});

test('at most N hosts are worked on at once, results in inventory order', async () => {
  let inFlight = 0;
  let most = 0;
  const out = await mapWithLimit([5, 1, 4, 2, 3], 2, async (n) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, n * 3));
    inFlight--;
    return n * 10;
  });
  expect(out).toEqual([50, 10, 40, 20, 30]);
  expect(most).toBe(2);
});

test('without --bundle deploy takes the newest build of the package version, whatever its content hash', () => {
  const dist = tempDir('dist');
  try {
    expect(defaultBundlePath('0.1.0', dist.path)).toBe(join(dist.path, 'patrol-agent-0.1.0.tar.gz')); // none yet: named in the error
    const built = (name: string, ageSec: number) => {
      writeFileSync(join(dist.path, name), '');
      const t = Date.now() / 1000 - ageSec;
      utimesSync(join(dist.path, name), t, t);
    };
    built('patrol-agent-0.1.0+aaaaaaaaaa.tar.gz', 300);
    built('patrol-agent-0.1.0+bbbbbbbbbb.tar.gz', 10);
    built('patrol-agent-0.2.0+cccccccccc.tar.gz', 1);
    built('patrol-agent-0.1.0-test.tar.gz', 1);
    expect(defaultBundlePath('0.1.0', dist.path)).toBe(join(dist.path, 'patrol-agent-0.1.0+bbbbbbbbbb.tar.gz'));
  } finally {
    dist.remove();
  }
});
