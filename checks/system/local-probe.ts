import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Executor } from '../define.js';
import { isRealFilesystem, parseDfInodes, type SystemProbe } from './probe.js';
import { countCpuLines, operUp, parseMeminfo, parseNetDev, parseProcStatCpu, procSystemProbe } from './proc-probe.js';
import { hasStatfs, statfsFilesystems } from './statfs-mounts.js';

/**
 * System figures of the machine this process runs on. On Linux from /proc, /sys and statfs, the figures the remote
 * probe reads over SSH (an agent's figures match an agentless host's); elsewhere from systeminformation, loaded on
 * first use. On Linux systeminformation cost the agent 2 MB of memory and, for system.network and system.disk, about
 * 20 ms of CPU a run each (it runs several programs per call). Starting programs at all was then most of what an idle
 * agent cost (issue 17): so no program runs here on Linux (df became statfs, grep of operstate a read of each file),
 * and /proc files are read at once, not through the thread pool (they are made by the kernel on read and never wait
 * for a disk).
 */
export function localSystemProbe(exec: Executor): SystemProbe {
  const proc = procSystemProbe(exec);
  if (process.platform === 'linux') {
    const read = (path: string) => readFileSync(path, 'utf8');
    let hz: Promise<number> | undefined;
    // USER_HZ from getconf, once (the remote probe's way); 100 on every mainstream Linux build.
    const userHz = () => (hz ??= exec.exec('getconf', ['CLK_TCK'], { timeoutMs: 15_000 }).then((r) => Number(r.stdout.trim()) || 100, () => 100));
    const filesystems = hasStatfs ? statfsFilesystems() : () => proc.filesystems();
    return {
      cpuTimes: async () => parseProcStatCpu(read('/proc/stat'), await userHz()),
      // The cpuN lines of /proc/stat, as os.cpus() counts them, without its read of every CPU's model and speed.
      cpuCount: async () => countCpuLines(read('/proc/stat')),
      loadAverage: async () => {
        const [a, b, c] = os.loadavg();
        return [a ?? 0, b ?? 0, c ?? 0];
      },
      memory: async () => parseMeminfo(read('/proc/meminfo')),
      filesystems,
      interfaces: async () =>
        parseNetDev(read('/proc/net/dev')).map((c) => {
          let state: string | undefined;
          try {
            state = read(`/sys/class/net/${c.iface}/operstate`).trim();
          } catch {
            // a NIC gone since /proc/net/dev was read: state unknown, as the remote probe says
          }
          return { ...c, up: operUp(state) };
        }),
      bootTime: async () => {
        const m = /^btime\s+(\d+)$/m.exec(read('/proc/stat'));
        if (!m) throw new Error('no btime line in /proc/stat');
        return Number(m[1]) * 1000;
      },
    };
  }
  const systeminformation = async () => (await import('systeminformation')).default;
  return {
    async cpuTimes() {
      // /proc/stat where there is one, read exactly as the remote probe reads it: it has iowait and steal,
      // which os.cpus() leaves out, and a host's figures must not depend on whether an agent or SSH gathered them.
      const fromProc = await proc.cpuTimes().catch(() => undefined);
      if (fromProc) return fromProc;
      const t = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, steal: 0 };
      for (const c of os.cpus()) {
        t.user += c.times.user;
        t.nice += c.times.nice;
        t.system += c.times.sys;
        t.idle += c.times.idle;
        t.irq += c.times.irq;
      }
      return t;
    },
    async cpuCount() {
      return os.cpus().length;
    },
    async loadAverage() {
      const [a, b, c] = os.loadavg();
      return [a ?? 0, b ?? 0, c ?? 0];
    },
    async memory() {
      const m = await (await systeminformation()).mem();
      return { totalBytes: m.total, availableBytes: m.available, swapTotalBytes: m.swaptotal, swapUsedBytes: m.swapused };
    },
    async filesystems() {
      const si = await systeminformation();
      const [sizes, df] = await Promise.all([si.fsSize(), exec.exec('df', ['-P', '-i']).catch(() => null)]);
      const inodes = df && df.code === 0 ? parseDfInodes(df.stdout) : new Map<string, { total: number; used: number }>();
      return sizes
        .filter((f) => isRealFilesystem(f.type, f.mount))
        .map((f) => {
          const ino = inodes.get(f.mount);
          return {
            mount: f.mount,
            device: f.fs,
            fsType: f.type,
            sizeBytes: f.size,
            usedBytes: f.used,
            availableBytes: f.available,
            // Some file systems (btrfs, vfat) report 0 inodes: that means "not applicable", not "full".
            inodesTotal: ino && ino.total > 0 ? ino.total : null,
            inodesUsed: ino && ino.total > 0 ? ino.used : null,
          };
        });
    },
    async interfaces() {
      const stats = await (await systeminformation()).networkStats('*');
      return stats.map((n) => ({
        iface: n.iface,
        rxBytes: n.rx_bytes,
        txBytes: n.tx_bytes,
        rxErrors: n.rx_errors,
        txErrors: n.tx_errors,
        rxDropped: n.rx_dropped,
        txDropped: n.tx_dropped,
        up: n.operstate === 'up' ? true : n.operstate === 'down' ? false : null,
      }));
    },
    async bootTime() {
      return Date.now() - (await systeminformation()).time().uptime * 1000;
    },
  };
}
