import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import inventory, { fitInventory, parseCpuinfo, parseOsRelease, readPackages } from '../../../checks/system/inventory.js';
import type { Executor } from '../../../checks/define.js';
import { localExecutor } from '../../../checks/exec/local-executor.js';
import { remoteCommandLine } from '../../../collector/remote/ssh-executor.js';
import { MAX_DETAILS_BYTES, wireTextBytes } from '../../../shared/check-result.js';
import { InventoryFactsSchema, flattenInventory, type InventoryFacts } from '../../../shared/inventory.js';
import { runCheck, testCheckContext } from '../../helpers/check-context.js';
import { ensureDebianPackage } from '../../helpers/system-packages.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** Interfaces that are virtual plumbing by their driver kind, as `ip -d` reports it (tests elsewhere add veth pairs). */
function virtualKinds(): Set<string> {
  const links = JSON.parse(execFileSync('ip', ['-d', '-j', 'link', 'show'], { encoding: 'utf8' })) as Array<{ ifname: string; linkinfo?: { info_kind?: string } }>;
  return new Set(links.filter((l) => ['veth', 'tun', 'ifb', 'vxlan'].includes(l.linkinfo?.info_kind ?? '')).map((l) => l.ifname));
}

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
    // Every NIC os.networkInterfaces() shows (except loopback and virtual ones) with its IPv4 addresses.
    // Read before and after: other tests add and remove veth pairs on this machine meanwhile.
    const before = virtualKinds();
    const interfaces = os.networkInterfaces();
    const virtual = new Set([...before, ...virtualKinds()]);
    for (const [name, addrs] of Object.entries(interfaces)) {
      if (name === 'lo' || virtual.has(name) || /^(veth|docker\d|br-|virbr|cali|cni|flannel)/.test(name)) continue;
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

describe('system.inventory on a container host', () => {
  test('150 veth pairs, a Docker network bridge and a veth pair named otherwise are left out; a bridge set up by an administrator stays', async () => {
    const ip = ensureDebianPackage('iproute2', '/usr/sbin/ip');
    const tag = String(process.pid % 100000);
    const pairs = Array.from({ length: 150 }, (_, i) => [`veth${tag}a${i}`, `veth${tag}b${i}`] as const);
    const oddVeth = [`pk${tag}a`, `pk${tag}b`] as const;
    const bridge = `br-${(Number(tag) * 7919).toString(16).padStart(12, '0').slice(-12)}`;
    // A bridge named by an administrator (not br-<docker id>) carrying an address: a real part of the host's network.
    const adminBridge = `pb${tag}`;
    const ipBatch = (lines: string[]) => execFileSync(ip, ['-force', '-batch', '-'], { input: `${lines.join('\n')}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
    try {
      ipBatch([
        ...pairs.map(([a, b]) => `link add ${a} type veth peer name ${b}`),
        `link add ${oddVeth[0]} type veth peer name ${oddVeth[1]}`,
        `link add ${bridge} type bridge`,
        `link add ${adminBridge} type bridge`,
        `addr add 192.0.2.${(Number(tag) % 250) + 1}/32 dev ${adminBridge}`,
      ]);
      const links = JSON.parse(execFileSync(ip, ['-j', 'link', 'show'], { encoding: 'utf8' })) as Array<{ ifname: string }>;
      const names = new Set(links.map((l) => l.ifname));
      expect([pairs[149]![1], oddVeth[1], bridge, adminBridge].filter((n) => !names.has(n))).toEqual([]);

      const r = await runCheck(inventory, testCheckContext(), { packages: ['bash'] });
      expect(r.status).toBe('OK');
      expect(wireTextBytes(r.details!)).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
      const listed = InventoryFactsSchema.parse(JSON.parse(r.details!)).nics.map((n) => n.name);
      for (const [a, b] of pairs) expect(listed.filter((n) => n === a || n === b)).toEqual([]);
      expect(listed).not.toContain(oddVeth[0]);
      expect(listed).not.toContain(bridge);
      expect(listed).toContain(adminBridge);
      const virtualCount = Number(/\((\d+) virtual left out\)/.exec(r.summary)?.[1]);
      expect(virtualCount).toBeGreaterThanOrEqual(303);
      expect(r.metrics![0]!.fields.virtual_nics).toBe(virtualCount);
      expect(r.metrics![0]!.fields.nics).toBe(listed.length);
    } finally {
      // Deleting one end of a veth pair deletes both.
      ipBatch([...pairs.map(([a]) => `link del ${a}`), `link del ${oddVeth[0]}`, `link del ${bridge}`, `link del ${adminBridge}`]);
    }
  });

  test('a fact set too big for the details limit is shortened, valid JSON, with a note of what was kept', () => {
    const nic = (i: number) => ({ name: `eth${i}`, mac: '02:00:00:00:00:01', mtu: 1500, state: 'UP', addresses: Array.from({ length: 20 }, (_, j) => `10.${i % 250}.${j}.1/24`) });
    const facts: InventoryFacts = {
      hostname: 'big', os: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0', arch: 'x86_64', cpuModel: 'x', cpuCores: 64, memoryBytes: 2 ** 40,
      disks: [{ name: 'sda', sizeBytes: 1e12, model: null, rotational: false }],
      filesystems: [{ mount: '/', device: '/dev/sda1', fsType: 'ext4', sizeBytes: 1e12 }],
      nics: Array.from({ length: 3000 }, (_, i) => nic(i)),
      packages: { openssl: '3.0.15-1~deb12u1', bash: '5.2.15-2+b7' },
    };
    expect(wireTextBytes(JSON.stringify(facts))).toBeGreaterThan(MAX_DETAILS_BYTES);
    const fitted = fitInventory(facts, MAX_DETAILS_BYTES);
    expect(wireTextBytes(fitted.json)).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
    const parsed = InventoryFactsSchema.parse(JSON.parse(fitted.json));
    expect(parsed.nics.length).toBeGreaterThan(100);
    expect(parsed.nics.length).toBeLessThan(3000);
    expect(parsed.nics[0]!.name).toBe('eth0');
    expect(parsed.packages).toEqual(facts.packages);
    expect(fitted.cuts).toEqual([{ list: 'NICs', kept: parsed.nics.length, total: 3000 }]);
    // A fact set within the limit is left alone.
    const small = { ...facts, nics: facts.nics.slice(0, 2) };
    expect(fitInventory(small, MAX_DETAILS_BYTES)).toEqual({ facts: small, json: JSON.stringify(small), cuts: [] });
  });
});

describe('package versions on an RPM host (no dpkg)', () => {
  /**
   * Commands run the way the SSH executor runs them (remoteCommandLine: `sh -c ... exec env PROG ARGS`), with a
   * PATH that has sh and env but no dpkg-query: a missing program then exits 127, as it does over SSH. `rpm` is a
   * small script standing in for the rpm binary of a RHEL host, answering like `rpm -q --qf` does.
   */
  function rpmHostExecutor(): { exec: Executor; bin: string; remove(): void } {
    const dir = tempDir('rpm-host');
    const bin = join(dir.path, 'bin');
    execFileSync('mkdir', [bin]);
    symlinkSync('/bin/sh', join(bin, 'sh'));
    symlinkSync('/usr/bin/env', join(bin, 'env'));
    const rpm = join(bin, 'rpm');
    writeFileSync(
      rpm,
      [
        '#!/bin/sh',
        '[ "$1" = -q ] && [ "$2" = --qf ] || { echo "rpm: unexpected arguments: $*" >&2; exit 2; }',
        'shift 3; rc=0',
        'for p in "$@"; do',
        '  case "$p" in',
        "    openssl) printf 'openssl\\t3.0.7-27.el9\\n' ;;",
        "    bash) printf 'bash\\t5.1.8-9.el9\\n' ;;",
        '    *) echo "package $p is not installed"; rc=1 ;;',
        '  esac',
        'done',
        'exit $rc',
      ].join('\n') + '\n',
    );
    chmodSync(rpm, 0o755);
    const local = localExecutor();
    const exec: Executor = {
      kind: 'ssh',
      exec: (command, args, opts = {}) =>
        local.exec('/bin/sh', ['-c', remoteCommandLine(command, args, opts.env)], { ...opts, env: { ...opts.env, PATH: bin } }),
      readFile: (path) => local.readFile(path),
    };
    return { exec, bin, remove: dir.remove };
  }

  test('dpkg-query not found (exit 127) falls back to rpm', async () => {
    const host = rpmHostExecutor();
    try {
      const missing = await host.exec.exec('dpkg-query', ['-W']);
      expect(missing.code).toBe(127);
      expect(await readPackages(host.exec, ['openssl', 'bash', 'nginx'])).toEqual({ openssl: '3.0.7-27.el9', bash: '5.1.8-9.el9', nginx: null });
    } finally {
      host.remove();
    }
  });

  test('a dpkg-query that is there but not executable (exit 126) falls back to rpm too', async () => {
    const host = rpmHostExecutor();
    try {
      writeFileSync(join(host.bin, 'dpkg-query'), '#!/bin/sh\n');
      chmodSync(join(host.bin, 'dpkg-query'), 0o644);
      expect((await host.exec.exec('dpkg-query', ['-W'])).code).toBe(126);
      expect(await readPackages(host.exec, ['openssl'])).toEqual({ openssl: '3.0.7-27.el9' });
    } finally {
      host.remove();
    }
  });

  test('on a dpkg host an unknown package is not a reason to ask rpm', async () => {
    // The real dpkg-query answers "no packages found matching" with exit 1: that is an answer, not a missing dpkg.
    expect(await readPackages(localExecutor(), ['no-such-package-xyz'])).toEqual({ 'no-such-package-xyz': null });
  });
});
