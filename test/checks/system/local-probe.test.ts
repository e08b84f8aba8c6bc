import { execFileSync } from 'node:child_process';
import { readFileSync, statfsSync, statSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, test } from 'vitest';
import { localExecutor } from '../../../checks/exec/local-executor.js';
import { localSystemProbe } from '../../../checks/system/local-probe.js';
import { procSystemProbe } from '../../../checks/system/proc-probe.js';
import { dfMounts, parseMountinfo, statfsFilesystems, type MountEntry } from '../../../checks/system/statfs-mounts.js';

// The agent's probe reads /proc, /sys and statfs itself and runs no program (issue 17); the remote probe runs df
// and grep. Both must give the same figures, here on this machine, and df's choice of mounts on hosts unlike it.
describe('the local probe without programs', () => {
  const local = localSystemProbe(localExecutor());
  const viaPrograms = procSystemProbe(localExecutor());

  test('file systems: the mounts, devices, types, sizes and inodes df gives', async () => {
    // A mount made between the two reads (another test's network namespace) would differ: read twice at most.
    let l = await local.filesystems();
    let r = await viaPrograms.filesystems();
    if (JSON.stringify(l.map((f) => f.mount)) !== JSON.stringify(r.map((f) => f.mount))) {
      l = await local.filesystems();
      r = await viaPrograms.filesystems();
    }
    expect(l.length).toBeGreaterThan(0);
    expect(l.map((f) => [f.mount, f.device, f.fsType])).toEqual(r.map((f) => [f.mount, f.device, f.fsType]));
    for (const [i, f] of l.entries()) {
      const d = r[i]!;
      expect(f.sizeBytes).toBe(d.sizeBytes);
      expect(f.inodesTotal).toBe(d.inodesTotal);
      // Used space and inodes move between the two reads (other tests write files): within 1%.
      expect(Math.abs(f.usedBytes - d.usedBytes)).toBeLessThanOrEqual(f.sizeBytes * 0.01);
      expect(Math.abs(f.availableBytes - d.availableBytes)).toBeLessThanOrEqual(f.sizeBytes * 0.01);
      if (f.inodesTotal !== null) expect(Math.abs(f.inodesUsed! - d.inodesUsed!)).toBeLessThanOrEqual(f.inodesTotal * 0.01);
    }
  });

  test("df -P's list of mounts, before pseudo file systems are left out", () => {
    const mountsOfDf = () =>
      execFileSync('df', ['-P'], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } })
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/).slice(5).join(' '));
    // stat's device of each mount point, as df keys them; df then shows none of 0 blocks (cgroup and such).
    const ours = () =>
      dfMounts(parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')), (e) => {
        try {
          return String(statSync(e.mount).dev);
        } catch {
          return e.dev;
        }
      })
        .filter((e) => statfsSync(e.mount).blocks > 0)
        .map((e) => e.mount);
    let [a, b] = [ours(), mountsOfDf()];
    if (JSON.stringify(a) !== JSON.stringify(b)) [a, b] = [ours(), mountsOfDf()];
    expect(a).toEqual(b);
  });

  test('interfaces, CPU count, memory and boot time as the remote probe reads them', async () => {
    const [li, ri] = await Promise.all([local.interfaces(), viaPrograms.interfaces()]);
    const names = new Set(ri.map((i) => i.iface));
    for (const i of li.filter((x) => names.has(x.iface))) expect(i.up).toBe(ri.find((x) => x.iface === i.iface)!.up);
    expect(li.find((i) => i.iface === 'lo')?.up).toBe(null); // "unknown" for loopback
    expect(await local.cpuCount()).toBe(os.cpus().length);
    expect((await local.memory()).totalBytes).toBe((await viaPrograms.memory()).totalBytes);
    expect(await local.bootTime()).toBe(await viaPrograms.bootTime());
    const [lt, rt] = await Promise.all([local.cpuTimes(), viaPrograms.cpuTimes()]);
    expect(Math.abs(lt.idle - rt.idle)).toBeLessThan(10_000);
  });
});

describe("df's choice of mounts on hosts unlike this one", () => {
  const entry = (dev: string, mount: string, fsType: string, device: string): string => `1 0 ${dev} / ${mount.replaceAll(' ', '\\040')} rw - ${fsType} ${device} rw`;

  test('a bind mount loses to its source, an overmount wins, dummies are left out, names unescaped', () => {
    const table = [
      entry('0:20', '/proc', 'proc', 'proc'),
      entry('8:1', '/', 'ext4', '/dev/sda1'),
      entry('8:1', '/srv/bind of root', 'ext4', '/dev/sda1'),
      entry('0:30', '/mnt/x', 'tmpfs', 'tmpfs'),
      entry('0:30', '/mnt/x', 'xfs', '/dev/sdb1'),
      entry('8:17', '/data/my disk', 'xfs', '/dev/sdc1'),
    ].join('\n');
    const got = dfMounts(parseMountinfo(table));
    expect(got.map((e) => [e.mount, e.device])).toEqual([
      ['/', '/dev/sda1'],
      ['/mnt/x', '/dev/sdb1'],
      ['/data/my disk', '/dev/sdc1'],
    ]);
  });

  test('btrfs subvolumes share mountinfo’s device but not stat’s: both kept; two NFS shares of one server both kept', () => {
    const table = [
      entry('0:33', '/', 'btrfs', '/dev/vda2'),
      entry('0:33', '/home', 'btrfs', '/dev/vda2'),
      entry('0:50', '/mnt/a', 'nfs4', 'nas:/a'),
      entry('0:50', '/mnt/b', 'nfs4', 'nas:/b'),
    ].join('\n');
    const statDev = (e: MountEntry) => (e.fsType === 'btrfs' ? `${e.dev}${e.mount}` : e.dev);
    expect(dfMounts(parseMountinfo(table), statDev).map((e) => e.mount)).toEqual(['/', '/home', '/mnt/a', '/mnt/b']);
    // Without stat's view the subvolume would go, as a bind mount does.
    expect(dfMounts(parseMountinfo(table)).map((e) => e.mount)).toEqual(['/', '/mnt/a', '/mnt/b']);
  });

  test('a mount statfs cannot read is left out, as df leaves it out', async () => {
    const read = statfsFilesystems(() => [entry('8:1', '/', 'ext4', '/dev/sda1'), entry('8:99', '/no/such/mount/point', 'ext4', '/dev/sdz1')].join('\n'));
    const got = await read();
    expect(got.map((f) => f.mount)).toEqual(['/']);
    expect(got[0]!.sizeBytes).toBeGreaterThan(0);
  });
});
