import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { ExecOptions, ExecResult, Executor } from '../define.js';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024;

/** Runs programs on this machine with argv (never a shell), a timeout that kills, and capped output. */
export function localExecutor(): Executor {
  return {
    kind: 'local',
    exec(command: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
      const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const maxBytes = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
      return new Promise((resolve) => {
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        let child;
        try {
          child = spawn(command, args, {
            env: { ...process.env, LC_ALL: 'C', ...opts.env },
            stdio: ['ignore', 'pipe', 'pipe'],
            // Own process group, so a timeout kills the plugin's children too.
            detached: true,
          });
        } catch (err) {
          resolve({ code: null, stdout: '', stderr: (err as Error).message, timedOut: false });
          return;
        }
        const kill = () => {
          timedOut = true;
          try {
            if (child.pid) process.kill(-child.pid, 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
        };
        const timer = setTimeout(kill, timeoutMs);
        if (opts.signal?.aborted) kill();
        opts.signal?.addEventListener('abort', kill, { once: true });
        child.stdout.on('data', (b: Buffer) => {
          if (stdout.length < maxBytes) stdout += b.toString('utf8').slice(0, maxBytes - stdout.length);
        });
        child.stderr.on('data', (b: Buffer) => {
          if (stderr.length < maxBytes) stderr += b.toString('utf8').slice(0, maxBytes - stderr.length);
        });
        child.on('error', (err) => {
          clearTimeout(timer);
          resolve({ code: null, stdout, stderr: stderr || err.message, timedOut });
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', kill);
          resolve({ code: timedOut ? null : code, stdout, stderr, timedOut });
        });
      });
    },
    readFile(path: string) {
      return readFile(path, 'utf8');
    },
  };
}
