import { readdirSync, readFileSync } from 'node:fs';

export interface ProcSample {
  rssBytes: number;
  /** User + system CPU time since the process started. */
  cpuMs: number;
  openFiles: number;
  /** Time it was runnable but waited for a core (/proc/PID/schedstat): on a shared machine, what it did not get. */
  runQueueWaitMs: number;
}

/** A process's RSS, CPU time and open file count from /proc (Linux). */
export function procSample(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime (fields 14 and 15 of stat), in clock ticks of 100 Hz.
  const ticks = Number(stat[11]) + Number(stat[12]);
  let openFiles = 0;
  try {
    openFiles = readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    // Gone, or not ours to read.
  }
  let runQueueWaitMs = 0;
  try {
    runQueueWaitMs = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
  } catch {
    // A kernel without schedstats.
  }
  return { rssBytes: rssKb * 1024, cpuMs: ticks * 10, openFiles, runQueueWaitMs };
}

/** CPU per cent of one core between two samples `elapsedMs` apart. */
export const cpuPct = (a: ProcSample, b: ProcSample, elapsedMs: number) => ((b.cpuMs - a.cpuMs) / elapsedMs) * 100;

/** The value at percentile p (nearest rank) of an ascending list; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
