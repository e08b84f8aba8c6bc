// The default import, not named ones: a named import of fs.statfs would stop the whole agent from loading on a Node
// older than 18.15, which lacks it.
import fs, { type StatsFs } from 'node:fs';
import { isRealFilesystem, type FilesystemFigures } from './probe.js';

/**
 * The figures `df -P -k` and `df -P -i` print, read the way df reads them (the mount table, then statfs of each
 * mount point) without running df: an agent ran df twice a minute for system.disk, and starting a program was the
 * largest part of its own CPU on an idle host (issue 17). The mounts df would show are chosen by GNU df's rules
 * (coreutils df.c filter_mount_list), so the figures match the remote probe's, which runs df over SSH.
 */

export interface MountEntry {
  /** major:minor of the file system, as /proc/self/mountinfo gives it (df's st_dev). */
  dev: string;
  mount: string;
  fsType: string;
  device: string;
}

/** mountinfo escapes space, tab, newline and backslash in paths as octal (\040). */
function unescapeOctal(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** `/proc/self/mountinfo`: `id parent major:minor root mountpoint options [optional...] - fstype source superoptions`. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-', 6);
    if (dash < 0 || f.length < dash + 3) continue;
    out.push({ dev: f[2]!, mount: unescapeOctal(f[4]!), fsType: f[dash + 1]!, device: unescapeOctal(f[dash + 2]!) });
  }
  return out;
}

/** GNU df's "dummy" file systems, left out before duplicates are sorted out (mountlist.c ME_DUMMY on Linux). */
const DF_DUMMY_TYPES = new Set(['autofs', 'proc', 'subfs', 'debugfs', 'devpts', 'fusectl', 'fuse.portal', 'mqueue', 'rpc_pipefs', 'sysfs', 'devfs', 'kernfs', 'ignore', 'none']);

/** mountlist.c ME_REMOTE: host:path, //server/share of SMB and CIFS, and the automounter's -hosts. */
function isRemote(e: MountEntry): boolean {
  return e.device.includes(':') || (e.device.startsWith('//') && ['smbfs', 'smb3', 'cifs'].includes(e.fsType)) || e.device === '-hosts';
}

/**
 * The mounts `df -P` lists, in its order: dummy file systems out, then one mount per device, the device being what
 * stat() of the mount point says (`devOf`; btrfs subvolumes differ there though mountinfo gives them one). Of two
 * mounts of one device the later one wins when its device name has a '/' and the earlier one's has not, when its
 * mount point is shorter (closer to the device's root: a bind mount loses to the mount it came from), or when it is a
 * different device mounted over the same point; remote mounts of different shares are both kept.
 */
export function dfMounts(entries: readonly MountEntry[], devOf: (e: MountEntry) => string = (e) => e.dev): MountEntry[] {
  const kept: MountEntry[] = [];
  const byDev = new Map<string, number>();
  for (const me of entries) {
    if (DF_DUMMY_TYPES.has(me.fsType)) continue;
    const dev = devOf(me);
    const i = byDev.get(dev);
    const old = i === undefined ? undefined : kept[i]!;
    if (old === undefined || (isRemote(me) && isRemote(old) && me.device !== old.device)) {
      byDev.set(dev, kept.length);
      kept.push(me);
      continue;
    }
    const replace =
      (me.device.includes('/') && !old.device.includes('/')) || old.mount.length > me.mount.length || (me.device !== old.device && me.mount === old.mount);
    if (replace) kept[i!] = me;
  }
  return kept;
}

/** df -P -k's columns from statfs: size, used (size less free) and available (to users) in KiB, rounded up as df does. */
export function dfFigures(e: MountEntry, s: Pick<StatsFs, 'bsize' | 'blocks' | 'bfree' | 'bavail' | 'files' | 'ffree'>): FilesystemFigures {
  const kib = (blocks: number) => Math.ceil((blocks * s.bsize) / 1024) * 1024;
  return {
    mount: e.mount,
    device: e.device,
    fsType: e.fsType,
    sizeBytes: kib(s.blocks),
    usedBytes: kib(s.blocks - s.bfree),
    availableBytes: kib(s.bavail),
    // 0 inodes (btrfs, vfat) means "not applicable", not "full".
    inodesTotal: s.files > 0 ? s.files : null,
    inodesUsed: s.files > 0 ? s.files - s.ffree : null,
  };
}

/** fs.statfs arrived in Node 18.15; the agent runs on 18.0 too, where the caller falls back to df. */
export const hasStatfs = typeof (fs as { statfs?: unknown }).statfs === 'function';

function statfs(path: string): Promise<StatsFs> {
  return new Promise((resolve, reject) => fs.statfs(path, (err, s) => (err ? reject(err) : resolve(s))));
}

/** stat()'s device of a mount point (what df keys its duplicates by); mountinfo's when stat fails, as df does. */
function statDev(e: MountEntry): Promise<string> {
  return new Promise((resolve) => fs.stat(e.mount, (err, s) => resolve(err ? e.dev : String(s.dev))));
}

/**
 * Real, disk-backed mounts of this machine with their space and inodes, as the proc probe's df gives them. Which
 * mounts those are is worked out again only when the mount table changed (a stat of every mount point); each run
 * reads the table and statfs's the chosen mounts. A mount statfs cannot read (gone since the table was read, a hung
 * network share's error) is left out, as df leaves it out, and so is one of 0 blocks.
 */
export function statfsFilesystems(readMountinfo: () => string = () => fs.readFileSync('/proc/self/mountinfo', 'utf8')): () => Promise<FilesystemFigures[]> {
  let table: string | undefined;
  let chosen: MountEntry[] = [];
  return async () => {
    const text = readMountinfo();
    if (text !== table) {
      const entries = parseMountinfo(text).filter((e) => !DF_DUMMY_TYPES.has(e.fsType));
      const devs = await Promise.all(entries.map(statDev));
      const devOf = new Map(entries.map((e, i) => [e, devs[i]!]));
      chosen = dfMounts(entries, (e) => devOf.get(e)!).filter((e) => isRealFilesystem(e.fsType, e.mount));
      table = text;
    }
    // df shows no file system of 0 blocks (cgroup, bpf and such) unless asked with -a.
    const figures = await Promise.all(chosen.map((e) => statfs(e.mount).then((s) => (s.blocks > 0 ? dfFigures(e, s) : undefined), () => undefined)));
    return figures.filter((f): f is FilesystemFigures => f !== undefined);
  };
}
