/**
 * The system figures that the system checks judge. Two sources give them: the local host through
 * systeminformation (agent), and a remote host's /proc over SSH (collector, see checks/system/proc-probe.ts).
 * Checks hold the logic (thresholds, rates, reboot detection) once; a probe only gathers numbers.
 * A figure the host cannot give is null, never 0.
 */
export interface CpuTimes {
  /** Cumulative milliseconds over all cores since boot. */
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  steal: number;
}

export interface MemoryFigures {
  totalBytes: number;
  availableBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
}

export interface FilesystemFigures {
  mount: string;
  device: string;
  fsType: string;
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
  inodesTotal: number | null;
  inodesUsed: number | null;
}

export interface InterfaceCounters {
  iface: string;
  rxBytes: number;
  txBytes: number;
  rxErrors: number;
  txErrors: number;
  rxDropped: number;
  txDropped: number;
  /** null when the kernel says "unknown" (loopback, some virtual NICs). */
  up: boolean | null;
}

export interface SystemProbe {
  cpuTimes(): Promise<CpuTimes>;
  cpuCount(): Promise<number>;
  loadAverage(): Promise<[number, number, number]>;
  memory(): Promise<MemoryFigures>;
  /** Real, disk-backed mounts only (no proc, tmpfs, overlay of containers, squashfs snaps). */
  filesystems(): Promise<FilesystemFigures[]>;
  interfaces(): Promise<InterfaceCounters[]>;
  /** Boot time in epoch milliseconds. */
  bootTime(): Promise<number>;
}

/** File systems that hold no user data and would only add noise (and false "100% full" alarms). */
export const PSEUDO_FS_TYPES = new Set([
  'proc', 'sysfs', 'devtmpfs', 'devpts', 'tmpfs', 'securityfs', 'cgroup', 'cgroup2', 'pstore', 'bpf', 'debugfs',
  'tracefs', 'configfs', 'fusectl', 'mqueue', 'hugetlbfs', 'autofs', 'binfmt_misc', 'rpc_pipefs', 'nsfs', 'overlay',
  'squashfs', 'ramfs', 'efivarfs', 'fuse.lxcfs', 'fuse.gvfsd-fuse', 'fuse.portal', 'iso9660', 'selinuxfs', 'nfsd',
]);

export function isRealFilesystem(fsType: string, mount: string): boolean {
  if (PSEUDO_FS_TYPES.has(fsType)) return false;
  return !(mount.startsWith('/proc') || mount.startsWith('/sys') || mount.startsWith('/dev') || mount.startsWith('/run') || mount.startsWith('/snap'));
}

/** Parse `df -P -i` (POSIX format) into mount -> inode figures. Shared by local and remote probes. */
export function parseDfInodes(text: string): Map<string, { total: number; used: number }> {
  const out = new Map<string, { total: number; used: number }>();
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 6) continue;
    const total = Number(cols[1]);
    const used = Number(cols[2]);
    const mount = cols.slice(5).join(' ');
    if (Number.isFinite(total) && Number.isFinite(used)) out.set(mount, { total, used });
  }
  return out;
}
