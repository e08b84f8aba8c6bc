import type { Executor } from '../define.js';
import { isRealFilesystem, parseDfInodes, type CpuTimes, type FilesystemFigures, type InterfaceCounters, type SystemProbe } from './probe.js';

/**
 * System figures of a Linux host read from /proc, /sys and POSIX tools through an executor, so the same
 * numbers come over SSH as locally. Every read is a plain file or a fixed argv: no shell on the remote side.
 */
export function procSystemProbe(exec: Executor): SystemProbe {
  let clockTicksPerSec: number | undefined;

  /** Run a program and return stdout; a non-zero exit is an error that names the program. */
  const run = async (cmd: string, args: string[]): Promise<string> => {
    const r = await exec.exec(cmd, args, { timeoutMs: 15_000 });
    if (r.timedOut) throw new Error(`${cmd} timed out`);
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
    return r.stdout;
  };

  const userHz = async (): Promise<number> => {
    if (clockTicksPerSec === undefined) {
      // USER_HZ is 100 on every mainstream Linux build; getconf says so for sure.
      const out = await run('getconf', ['CLK_TCK']).catch(() => '100');
      const hz = Number(out.trim());
      clockTicksPerSec = Number.isFinite(hz) && hz > 0 ? hz : 100;
    }
    return clockTicksPerSec;
  };

  return {
    async cpuTimes() {
      const [stat, hz] = await Promise.all([exec.readFile('/proc/stat'), userHz()]);
      return parseProcStatCpu(stat, hz);
    },
    async cpuCount() {
      const out = await run('nproc', []).catch(async () => String(countCpuLines(await exec.readFile('/proc/stat'))));
      const n = Number(out.trim());
      if (!Number.isInteger(n) || n < 1) throw new Error(`unexpected CPU count '${out.trim()}'`);
      return n;
    },
    async loadAverage() {
      return parseLoadavg(await exec.readFile('/proc/loadavg'));
    },
    async memory() {
      return parseMeminfo(await exec.readFile('/proc/meminfo'));
    },
    async filesystems() {
      const [sizes, inodes, mounts] = await Promise.all([
        run('df', ['-P', '-k']),
        run('df', ['-P', '-i']).catch(() => ''),
        exec.readFile('/proc/mounts'),
      ]);
      return parseFilesystems(sizes, inodes, mounts);
    },
    async interfaces() {
      const dev = await exec.readFile('/proc/net/dev');
      const counters = parseNetDev(dev);
      if (!counters.length) return counters;
      // One grep for every operstate file: "path:state" per line. Exit 2 for a vanished NIC still prints the rest.
      const r = await exec.exec('grep', ['-H', '', ...counters.map((c) => `/sys/class/net/${c.iface}/operstate`)], { timeoutMs: 15_000 });
      const states = parseOperstates(r.stdout);
      return counters.map((c) => ({ ...c, up: operUp(states.get(c.iface)) }));
    },
    async bootTime() {
      const m = /^btime\s+(\d+)$/m.exec(await exec.readFile('/proc/stat'));
      if (!m) throw new Error('no btime line in /proc/stat');
      return Number(m[1]) * 1000;
    },
  };
}

/** The aggregate `cpu` line of /proc/stat in milliseconds (values are in USER_HZ ticks). */
export function parseProcStatCpu(stat: string, hz: number): CpuTimes {
  const line = stat.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) throw new Error('no cpu line in /proc/stat');
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const ms = (i: number) => Math.round(((v[i] ?? 0) * 1000) / hz);
  return { user: ms(0), nice: ms(1), system: ms(2), idle: ms(3), iowait: ms(4), irq: ms(5) + ms(6), steal: ms(7) };
}

export function countCpuLines(stat: string): number {
  return stat.split('\n').filter((l) => /^cpu\d+\s/.test(l)).length;
}

export function parseLoadavg(text: string): [number, number, number] {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  if (![a, b, c].every((x) => Number.isFinite(x))) throw new Error(`unexpected /proc/loadavg: ${text.slice(0, 80)}`);
  return [a!, b!, c!];
}

export function parseMeminfo(text: string): { totalBytes: number; availableBytes: number; swapTotalBytes: number; swapUsedBytes: number } {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)/.exec(line);
    if (m) kb.set(m[1]!, Number(m[2]) * 1024);
  }
  const total = kb.get('MemTotal');
  if (total === undefined) throw new Error('no MemTotal in /proc/meminfo');
  // MemAvailable exists since Linux 3.14; before it, free + buffers + cache is the usual estimate.
  const available = kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0);
  const swapTotal = kb.get('SwapTotal') ?? 0;
  return { totalBytes: total, availableBytes: available, swapTotalBytes: swapTotal, swapUsedBytes: Math.max(0, swapTotal - (kb.get('SwapFree') ?? 0)) };
}

/** /proc/mounts escapes spaces and tabs in paths as octal (\040). */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** `df -P -k` sizes joined with `df -P -i` inodes and /proc/mounts types; pseudo file systems left out. */
export function parseFilesystems(dfK: string, dfI: string, procMounts: string): FilesystemFigures[] {
  const types = new Map<string, string>();
  for (const line of procMounts.split('\n')) {
    const [, mount, type] = line.split(' ');
    // Later lines win: a mount stacked over another shows the top one, as df does.
    if (mount && type) types.set(unescapeMountPath(mount), type);
  }
  const inodes = parseDfInodes(dfI);
  const out: FilesystemFigures[] = [];
  const seen = new Set<string>();
  for (const line of dfK.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 6) continue;
    const [device, size, used, avail] = cols;
    const mount = cols.slice(5).join(' ');
    const fsType = types.get(mount) ?? 'unknown';
    if (seen.has(mount) || !isRealFilesystem(fsType, mount)) continue;
    const nums = [size, used, avail].map(Number);
    if (!nums.every((n) => Number.isFinite(n))) continue;
    seen.add(mount);
    const ino = inodes.get(mount);
    out.push({
      mount,
      device: device!,
      fsType,
      sizeBytes: nums[0]! * 1024,
      usedBytes: nums[1]! * 1024,
      availableBytes: nums[2]! * 1024,
      // 0 inodes (btrfs, vfat) means "not applicable", not "full".
      inodesTotal: ino && ino.total > 0 ? ino.total : null,
      inodesUsed: ino && ino.total > 0 ? ino.used : null,
    });
  }
  return out;
}

/** /proc/net/dev: two header lines, then `iface: rx bytes packets errs drop fifo frame compressed multicast tx bytes packets errs drop ...`. */
export function parseNetDev(text: string): InterfaceCounters[] {
  const out: InterfaceCounters[] = [];
  for (const line of text.split('\n').slice(2)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const iface = line.slice(0, i).trim();
    const v = line.slice(i + 1).trim().split(/\s+/).map(Number);
    if (!iface || v.length < 16) continue;
    out.push({ iface, rxBytes: v[0]!, rxErrors: v[2]!, rxDropped: v[3]!, txBytes: v[8]!, txErrors: v[10]!, txDropped: v[11]!, up: null });
  }
  return out;
}

function parseOperstates(grepOut: string): Map<string, string> {
  const states = new Map<string, string>();
  for (const line of grepOut.split('\n')) {
    const m = /^\/sys\/class\/net\/([^/]+)\/operstate:(.*)$/.exec(line);
    if (m) states.set(m[1]!, m[2]!.trim());
  }
  return states;
}

export function operUp(state: string | undefined): boolean | null {
  if (state === 'up') return true;
  if (state === 'down' || state === 'lowerlayerdown' || state === 'dormant' || state === 'notpresent') return false;
  return null;
}
