import os from 'node:os';
import type { Executor } from '../define.js';
import { isRealFilesystem, parseDfInodes, type SystemProbe } from './probe.js';
import { procSystemProbe } from './proc-probe.js';

/**
 * System figures of the machine this process runs on. On Linux from /proc and df, exactly as the remote probe reads
 * them (an agent's figures match an agentless host's); elsewhere from systeminformation, loaded on first use. On
 * Linux systeminformation cost the agent 2 MB of memory and, for system.network and system.disk, about 20 ms of CPU
 * a run each (it runs several programs per call): more than all the other linux-base checks together (issue 17).
 */
export function localSystemProbe(exec: Executor): SystemProbe {
  const proc = procSystemProbe(exec);
  if (process.platform === 'linux') {
    return {
      cpuTimes: () => proc.cpuTimes(),
      // os.cpus() and os.loadavg() are in-process; the remote probe needs nproc and /proc/loadavg for them.
      cpuCount: async () => os.cpus().length,
      loadAverage: async () => {
        const [a, b, c] = os.loadavg();
        return [a ?? 0, b ?? 0, c ?? 0];
      },
      memory: () => proc.memory(),
      filesystems: () => proc.filesystems(),
      interfaces: () => proc.interfaces(),
      bootTime: () => proc.bootTime(),
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
