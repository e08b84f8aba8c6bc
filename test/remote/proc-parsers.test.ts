import { describe, expect, test } from 'vitest';
import { parseFilesystems, parseMeminfo, parseNetDev, parseProcStatCpu } from '../../checks/system/proc-probe.js';
import { ConcurrencyLimit } from '../../shared/concurrency-limit.js';
import { shellQuote } from '../../collector/remote/ssh-executor.js';

// Texts as an older or odder host prints them: what this machine cannot show the SSH tests.
describe('reading /proc of hosts unlike this one', () => {
  test('a kernel without MemAvailable (before 3.14): free + buffers + cache', () => {
    const m = parseMeminfo('MemTotal:  1000 kB\nMemFree:  100 kB\nBuffers:  50 kB\nCached:  250 kB\nSwapTotal: 400 kB\nSwapFree: 100 kB\n');
    expect(m).toEqual({ totalBytes: 1000 * 1024, availableBytes: 400 * 1024, swapTotalBytes: 400 * 1024, swapUsedBytes: 300 * 1024 });
  });

  test('CPU ticks at USER_HZ 250 become milliseconds; softirq counts with irq', () => {
    const t = parseProcStatCpu('cpu  250 0 500 1000 25 5 20 50 0 0\ncpu0 1 2 3 4\nbtime 1700000000\n', 250);
    expect(t).toEqual({ user: 1000, nice: 0, system: 2000, idle: 4000, iowait: 100, irq: 100, steal: 200 });
  });

  test('a mount with a space, a tmpfs and an NFS share: pseudo file systems left out, names unescaped', () => {
    const mounts = [
      '/dev/sda1 / ext4 rw 0 0',
      'tmpfs /run tmpfs rw 0 0',
      '/dev/sdb1 /srv/my\\040data xfs rw 0 0',
      'nas:/export /mnt/backup nfs4 rw 0 0',
    ].join('\n');
    const dfK = [
      'Filesystem 1024-blocks Used Available Capacity Mounted on',
      '/dev/sda1 1000 600 400 60% /',
      'tmpfs 100 1 99 1% /run',
      '/dev/sdb1 2000 100 1900 5% /srv/my data',
      'nas:/export 5000 2500 2500 50% /mnt/backup',
    ].join('\n');
    const dfI = 'Filesystem Inodes IUsed IFree IUse% Mounted on\n/dev/sda1 100 10 90 10% /\n/dev/sdb1 0 0 0 - /srv/my data\n';
    const fss = parseFilesystems(dfK, dfI, mounts);
    expect(fss.map((f) => [f.mount, f.fsType, f.sizeBytes, f.inodesTotal])).toEqual([
      ['/', 'ext4', 1000 * 1024, 100],
      ['/srv/my data', 'xfs', 2000 * 1024, null],
      ['/mnt/backup', 'nfs4', 5000 * 1024, null],
    ]);
  });

  test('/proc/net/dev columns: rx bytes, errs, drop and tx bytes, errs, drop', () => {
    const text = 'Inter-| Receive\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed\n' +
      '  eth0: 100 2 3 4 0 0 0 0 200 5 6 7 0 0 0 0\n';
    expect(parseNetDev(text)).toEqual([{ iface: 'eth0', rxBytes: 100, rxErrors: 3, rxDropped: 4, txBytes: 200, txErrors: 6, txDropped: 7, up: null }]);
  });
});

describe('pieces of the SSH poller', () => {
  test('shell quoting leaves plain words and wraps the rest', () => {
    expect(shellQuote('/proc/stat')).toBe('/proc/stat');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
  });

  test('the concurrency limit never lets more than its maximum run at once', async () => {
    const limit = new ConcurrencyLimit(3);
    let running = 0;
    let peak = 0;
    const gates: Array<() => void> = [];
    const jobs = Array.from({ length: 10 }, () =>
      limit.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => gates.push(r));
        running--;
      }),
    );
    // Release the waiting jobs one by one until all ten have run.
    for (let released = 0; released < 10; released++) {
      await new Promise((r) => setImmediate(r));
      expect(running).toBeLessThanOrEqual(3);
      gates.shift()!();
    }
    await Promise.all(jobs);
    expect(peak).toBe(3);
    expect(limit.inUse).toBe(0);
  });
});
