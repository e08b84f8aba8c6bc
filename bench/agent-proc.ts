import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * What a process (or a process and its children) costs, read from /proc the way `ps` and `smem` read it:
 * RSS and PSS from smaps_rollup (PSS shares each shared page among the processes mapping it, so the node
 * binary's text is not counted whole in every Node process), CPU from utime + stime in /proc/PID/stat.
 */

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** kB fields of /proc/PID/smaps_rollup (Rss, Pss, Pss_Anon, ...); undefined when the process is gone. */
export function smapsRollup(pid: number): Record<string, number> | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return undefined;
  }
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^(\w+):\s+(\d+) kB$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

export interface CpuTimes {
  /** utime + stime of the process itself, ms. */
  ownMs: number;
  /** cutime + cstime: children it has waited for (commands a check ran), ms. */
  childrenMs: number;
  /**
   * Time on a CPU by the scheduler's own count, all threads (/proc/PID/task/TID/schedstat, ns): not sampled at the
   * 10 ms tick as utime and stime are, so short windows and small figures are exact.
   */
  schedMs: number;
  /** Times its threads went to sleep and were woken (voluntary context switches): timers, I/O, blocking calls. */
  wakeups: number;
}

/** schedstat and voluntary switches summed over a process's threads. */
function threadFigures(pid: number): { schedMs: number; wakeups: number } {
  let schedMs = 0;
  let wakeups = 0;
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return { schedMs, wakeups };
  }
  for (const tid of tids) {
    try {
      schedMs += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
      wakeups += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return { schedMs, wakeups };
}

export function cpuTimes(pid: number): CpuTimes | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after "(comm)", which may itself hold spaces: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = (i: number) => Number(f[i - 3]);
  return { ownMs: ((ticks(14) + ticks(15)) * 1000) / CLK_TCK, childrenMs: ((ticks(16) + ticks(17)) * 1000) / CLK_TCK, ...threadFigures(pid) };
}

/** The process and all its living descendants (netdata runs its collectors as child processes). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

export interface TreeSample {
  pids: number[];
  rssKb: number;
  pssKb: number;
  /** CPU of every process of the tree by pid, so a window can subtract per process. */
  cpuByPid: Map<number, CpuTimes>;
}

export function sampleTree(root: number): TreeSample {
  const pids = processTree(root);
  let rssKb = 0;
  let pssKb = 0;
  const cpuByPid = new Map<number, CpuTimes>();
  for (const pid of pids) {
    const r = smapsRollup(pid);
    const c = cpuTimes(pid);
    if (r) {
      rssKb += r.Rss ?? 0;
      pssKb += r.Pss ?? 0;
    }
    if (c) cpuByPid.set(pid, c);
  }
  return { pids, rssKb, pssKb, cpuByPid };
}

/**
 * CPU a tree used between two samples: processes present in both count their difference, processes born in
 * between count all they used (a plugin netdata started during the window), processes gone by the end are lost
 * (/proc forgets them; their parent's cutime has them only once it waited for them).
 */
export function cpuBetween(a: TreeSample, b: TreeSample): CpuTimes {
  let ownMs = 0;
  let childrenMs = 0;
  let schedMs = 0;
  let wakeups = 0;
  for (const [pid, end] of b.cpuByPid) {
    const start = a.cpuByPid.get(pid) ?? { ownMs: 0, childrenMs: 0, schedMs: 0, wakeups: 0 };
    ownMs += end.ownMs - start.ownMs;
    schedMs += end.schedMs - start.schedMs;
    wakeups += end.wakeups - start.wakeups;
    if (pid === b.pids[0]) childrenMs += end.childrenMs - start.childrenMs;
  }
  return { ownMs, childrenMs, schedMs, wakeups };
}

/** Where a process's resident memory lies, from /proc/PID/smaps, in kB of RSS (and PSS). */
export interface MemoryMap {
  /** The executable's own mapped file (node's text and read-only data). */
  binary: { rssKb: number; pssKb: number };
  /** Shared libraries (.so). */
  libraries: { rssKb: number; pssKb: number };
  /** brk heap of malloc ([heap]). */
  mallocHeap: { rssKb: number; pssKb: number };
  /** Anonymous mappings: V8's heap spaces, malloc arenas of threads, thread stacks. */
  anonymous: { rssKb: number; pssKb: number };
  /** [stack], [vdso] and other files. */
  other: { rssKb: number; pssKb: number };
}

export function memoryMap(pid: number): MemoryMap | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return undefined;
  }
  let exe = '';
  try {
    exe = execFileSync('readlink', [`/proc/${pid}/exe`], { encoding: 'utf8' }).trim();
  } catch {
    // a process that is gone: exe stays unknown and its text counts under "other"
  }
  const map: MemoryMap = {
    binary: { rssKb: 0, pssKb: 0 },
    libraries: { rssKb: 0, pssKb: 0 },
    mallocHeap: { rssKb: 0, pssKb: 0 },
    anonymous: { rssKb: 0, pssKb: 0 },
    other: { rssKb: 0, pssKb: 0 },
  };
  let bucket: keyof MemoryMap = 'other';
  for (const line of text.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const path = header[1]!.trim();
      bucket = path === '' ? 'anonymous' : path === '[heap]' ? 'mallocHeap' : path === exe ? 'binary' : /\.so(\.|$)/.test(path) ? 'libraries' : 'other';
      continue;
    }
    const m = /^(Rss|Pss):\s+(\d+) kB$/.exec(line);
    if (m) map[bucket][m[1] === 'Rss' ? 'rssKb' : 'pssKb'] += Number(m[2]);
  }
  return map;
}
