import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, test } from 'vitest';
import inventory, { parseCpuinfo, parseOsRelease } from '../../../checks/system/inventory.js';
import { InventoryFactsSchema, flattenInventory } from '../../../shared/inventory.js';
import { runCheck, testCheckContext } from '../../helpers/check-context.js';

describe('system.inventory on this machine', () => {
  test('collects the real facts and puts them in details as schema-valid JSON', async () => {
    const r = await runCheck(inventory, testCheckContext(), { packages: ['openssl', 'bash', 'no-such-package-xyz'] });
    expect(r.status).toBe('OK');
    const facts = InventoryFactsSchema.parse(JSON.parse(r.details!));
    expect(facts.hostname).toBe(os.hostname());
    expect(facts.kernel).toBe(os.release());
    expect(facts.arch).toBe(execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim());
    expect(facts.os).toBe(parseOsRelease(readFileSync('/etc/os-release', 'utf8')));
    expect(facts.cpuCores).toBe(os.cpus().length);
    expect(facts.memoryBytes).toBeGreaterThan(os.totalmem() * 0.99);
    expect(facts.memoryBytes).toBeLessThan(os.totalmem() * 1.01);
    const dpkgVersion = (pkg: string) => execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' });
    expect(facts.packages).toEqual({ openssl: dpkgVersion('openssl'), bash: dpkgVersion('bash'), 'no-such-package-xyz': null });
    // Every NIC os.networkInterfaces() shows (except loopback) with its IPv4 addresses.
    for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
      if (name === 'lo') continue;
      const nic = facts.nics.find((n) => n.name === name);
      expect(nic, name).toBeDefined();
      for (const a of addrs ?? []) if (a.family === 'IPv4') expect(nic!.addresses).toContain(a.cidr);
    }
    expect(facts.filesystems.some((f) => f.mount === '/')).toBe(true);
  });

  test('parsers for os-release and cpuinfo', () => {
    expect(parseOsRelease('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(parseOsRelease('NAME=x\n')).toBeNull();
    const cpu = parseCpuinfo('processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Gold 6248\n\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon(R) Gold 6248\n');
    expect(cpu).toEqual({ model: 'Intel(R) Xeon(R) Gold 6248', cores: 2 });
  });

  test('flattening keys lists by name, so order does not matter', () => {
    const base = InventoryFactsSchema.parse({
      hostname: 'h', os: 'Debian 12', kernel: '6.1', arch: 'x86_64', cpuModel: 'x', cpuCores: 2, memoryBytes: 1,
      disks: [{ name: 'vda', sizeBytes: 10, model: null, rotational: true }],
      filesystems: [],
      nics: [{ name: 'eth0', mac: 'aa', mtu: 1500, state: 'UP', addresses: ['10.0.0.1/24', '10.0.0.2/24'] }],
      packages: { openssl: '3.0', nginx: null },
    });
    const reordered = { ...base, nics: [{ ...base.nics[0]!, addresses: ['10.0.0.2/24', '10.0.0.1/24'] }] };
    expect(flattenInventory(reordered)).toEqual(flattenInventory(base));
    expect(flattenInventory(base)).toMatchObject({ kernel: '6.1', 'package.openssl': '3.0', 'package.nginx': '(not installed)', 'disk.vda.sizeBytes': '10' });
  });
});
