import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { ensureDebianPackage } from './system-packages.js';
import { freePort, waitFor } from './ports.js';
import { tempDir } from './temp-dir.js';
import { stopChild } from './processes.js';

export interface RunningRedis {
  host: string;
  port: number;
  /** requirepass of this server. */
  password: string;
  /** SIGTERM, wait for exit, delete the folder; safe to call twice. */
  stop(): Promise<void>;
}

export interface RedisOptions {
  /** Extra server arguments, e.g. ['--maxmemory', '4mb']. */
  args?: string[];
  /** Start as a replica of this server. */
  replicaOf?: { host: string; port: number; password: string };
}

/** A real Redis (Debian 'redis-server') on a free loopback port, no persistence, a child of this process. */
export async function startRedis(opts: RedisOptions = {}): Promise<RunningRedis> {
  const bin = ensureDebianPackage('redis-server', '/usr/bin/redis-server');
  const dir = tempDir('redis');
  const port = await freePort();
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no',
    '--dir', dir.path, '--logfile', join(dir.path, 'redis.log'), '--requirepass', password,
    ...(opts.replicaOf ? ['--replicaof', opts.replicaOf.host, String(opts.replicaOf.port), '--masterauth', opts.replicaOf.password] : []),
    ...(opts.args ?? []),
  ];
  const child = spawn(bin, args, { stdio: 'ignore' });
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    return tcpOpen(port);
  }, 'redis-server port');
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    password,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopChild(child);
      dir.remove();
    },
  };
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}
