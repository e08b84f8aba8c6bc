import type { Executor } from '../define.js';
import type { Said } from '../message-text.js';
import { say } from './messages.js';

/** Long Java command lines on a busy host make `ps args` large; the executor's default cap would cut it. */
const PS_MAX_BYTES = 8 * 2 ** 20;

/** One row of the process table, as `ps` shows it (works the same locally and over SSH). */
export interface ProcessRow {
  pid: number;
  ppid: number;
  /** ps state letters, e.g. "S", "Ss", "Z+". */
  stat: string;
  rssBytes: number;
  /** Kernel command name (at most 15 characters). */
  comm: string;
  /** Full command line; "" for kernel threads and zombies. */
  args: string;
}

/**
 * Read the process table with two `ps` calls: the command name and the argument list may both contain
 * spaces, so each must be the last column of its own listing.
 */
export async function readProcessTable(exec: Executor, withArgs = true): Promise<ProcessRow[] | { error: Said }> {
  const [main, argv] = await Promise.all([
    exec.exec('ps', ['-e', '-o', 'pid=,ppid=,rss=,stat=,comm='], { maxOutputBytes: PS_MAX_BYTES }),
    withArgs ? exec.exec('ps', ['-e', '-o', 'pid=,args='], { maxOutputBytes: PS_MAX_BYTES }) : Promise.resolve(null),
  ]);
  if (main.code !== 0) return { error: say('system.ps.failed', { error: (main.stderr || main.stdout).trim().split('\n')[0] || `exit ${main.code}` }) };
  const argsByPid = new Map<number, string>();
  for (const line of argv?.code === 0 ? argv.stdout.split('\n') : []) {
    const m = /^\s*(\d+)\s(.*)$/.exec(line);
    if (m) argsByPid.set(Number(m[1]), m[2]!.trim());
  }
  const rows: ProcessRow[] = [];
  for (const line of main.stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s(.*)$/.exec(line);
    if (!m) continue;
    const pid = Number(m[1]);
    rows.push({
      pid,
      ppid: Number(m[2]),
      // ps prints RSS in KiB.
      rssBytes: Number(m[3]) * 1024,
      stat: m[4]!,
      comm: m[5]!.trim(),
      args: argsByPid.get(pid) ?? '',
    });
  }
  return rows;
}
