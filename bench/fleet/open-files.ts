import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { OPEN_FILES } from './collector-process.js';

const limits = () => readFileSync('/proc/self/limits', 'utf8');
/** This process's soft open-files limit. */
export const openFilesLimit = () => Number(/Max open files\s+(\d+)/.exec(limits())?.[1] ?? 0);

/**
 * 10,000 sockets need more descriptors than the usual 1,024: raise the load generator's own limit to OPEN_FILES, or
 * to the hard limit where that may not be raised (a container without CAP_SYS_RESOURCE). Returns the limit reached.
 */
export function raiseOpenFiles(): number {
  for (const limit of [`${OPEN_FILES}:${OPEN_FILES}`, String(OPEN_FILES)]) {
    try {
      execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${limit}`], { stdio: 'ignore' });
      break;
    } catch {
      // Next: the soft limit alone.
    }
  }
  const hard = Number(/Max open files\s+\d+\s+(\d+)/.exec(limits())?.[1] ?? 0);
  if (openFilesLimit() < OPEN_FILES) execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${hard}:${hard}`], { stdio: 'ignore' });
  return openFilesLimit();
}
