import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { ensureDebianPackage } from './system-packages.js';
import { freePort, waitFor } from './ports.js';
import { tempDir } from './temp-dir.js';
import { stopChild } from './processes.js';

export interface RunningMariaDb {
  host: string;
  port: number;
  /** A user made for the checks, allowed from 127.0.0.1 only, with a password. */
  user: string;
  password: string;
  /** SIGTERM, wait for exit, delete the data folder; safe to call twice. */
  stop(): Promise<void>;
}

export interface MariaDbOptions {
  /** Server setting given at start, e.g. a low max_connections for the "too many connections" story. */
  maxConnections?: number;
}

/** A real MariaDB (Debian 'mariadb-server') on a free loopback port with its data in a temp folder. */
export async function startMariaDb(opts: MariaDbOptions = {}): Promise<RunningMariaDb> {
  const installDb = ensureDebianPackage('mariadb-server', '/usr/bin/mariadb-install-db');
  const mariadbd = ensureDebianPackage('mariadb-server', '/usr/sbin/mariadbd');
  const dir = tempDir('mariadb');
  const dataDir = join(dir.path, 'data');
  const socket = join(dir.path, 'mysqld.sock');
  // 'normal' root auth: a passwordless root over the socket, used only here to create the check's user.
  execFileSync(installDb, [`--datadir=${dataDir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'], {
    stdio: 'pipe',
    timeout: 120_000,
  });
  const port = await freePort();
  const args = [
    '--no-defaults', `--datadir=${dataDir}`, '--user=root', `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${socket}`,
    `--pid-file=${join(dir.path, 'mysqld.pid')}`, `--log-error=${join(dir.path, 'error.log')}`, '--skip-name-resolve',
    '--innodb-buffer-pool-size=16M', '--skip-log-bin',
    ...(opts.maxConnections ? [`--max-connections=${opts.maxConnections}`] : []),
  ];
  const child = spawn(mariadbd, args, { stdio: 'ignore' });
  const stop = async () => {
    await stopChild(child);
    dir.remove();
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) {
        const log = join(dir.path, 'error.log');
        throw new Error(`mariadbd exited with ${child.exitCode}: ${existsSync(log) ? readFileSync(log, 'utf8').slice(-1500) : ''}`);
      }
      return existsSync(socket);
    }, 'mariadbd socket', 60_000);
    const user = 'patrol';
    const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
    const root = await mysql.createConnection({ socketPath: socket, user: 'root' });
    try {
      await root.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}'`);
      await root.query(`GRANT ALL PRIVILEGES ON *.* TO '${user}'@'127.0.0.1'`);
    } finally {
      await root.end();
    }
    let stopped = false;
    return {
      host: '127.0.0.1',
      port,
      user,
      password,
      async stop() {
        if (stopped) return;
        stopped = true;
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
