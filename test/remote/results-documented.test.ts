import { expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { SNMP_REACHABLE_CHECK, SSH_REACHABLE_CHECK } from '../../collector/remote/poller.js';

/** A result a user sees on a ticket or a dashboard has a row in checks/README.md, even one the poller makes itself. */
test('the poller’s own ssh.reachable result is documented in checks/README.md', () => {
  const readme = readFileSync(new URL('../../checks/README.md', import.meta.url), 'utf8');
  const row = readme.split('\n').find((l) => l.startsWith(`| \`${SSH_REACHABLE_CHECK}\``));
  expect(row, 'a row for ssh.reachable').toBeDefined();
  const cells = row!.split(' | ');
  expect(cells).toHaveLength(6); // id, title, parameters, metrics, WARNING, CRITICAL
  expect(row).toContain('`remote.ssh`');
});

test('the poller’s own snmp.reachable result is documented in checks/README.md', () => {
  const readme = readFileSync(new URL('../../checks/README.md', import.meta.url), 'utf8');
  const row = readme.split('\n').find((l) => l.startsWith(`| \`${SNMP_REACHABLE_CHECK}\``));
  expect(row, 'a row for snmp.reachable').toBeDefined();
  expect(row!.split(' | ')).toHaveLength(6);
  expect(row).toContain('`remote.snmp`');
});
