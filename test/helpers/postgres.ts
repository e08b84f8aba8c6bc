import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackage } from './system-packages.js';
import { freePort, waitFor } from './ports.js';
import { tempDir } from './temp-dir.js';

const PG_BIN = '/usr/lib/postgresql/15/bin';

export interface RunningPostgres {
  host: string;
  port: number;
  user: string;
  /** The superuser's password (scram-sha-256 auth, so a wrong one is refused). */
  password: string;
  /** Fast shutdown and delete the data folder; safe to call twice. */
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Start as a streaming standby of this server (pg_basebackup -R from it). */
  standbyOf?: RunningPostgres;
  /** Server setting given at start, e.g. a low max_connections for the "too many connections" story. */
  maxConnections?: number;
}

/**
 * A real PostgreSQL 15 (Debian 'postgresql-15') on a free loopback port. PostgreSQL refuses to run as root,
 * so the data folder is owned by the 'postgres' user and every command runs through runuser.
 */
export async function startPostgres(opts: PostgresOptions = {}): Promise<RunningPostgres> {
  const initdb = ensureDebianPackage('postgresql-15', `${PG_BIN}/initdb`);
  const pgCtl = `${PG_BIN}/pg_ctl`;
  const dir = tempDir('pg');
  const { uid, gid } = postgresIds();
  chownSync(dir.path, uid, gid);
  const dataDir = join(dir.path, 'data');
  const sockDir = join(dir.path, 'sock');
  mkdirSync(sockDir);
  chownSync(sockDir, uid, gid);
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  const pwFile = join(dir.path, 'pw');
  writeFileSync(pwFile, `${password}\n`);
  chownSync(pwFile, uid, gid);
  const port = await freePort();
  const asPostgres = (cmd: string, args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe', timeout: 120_000 });
  if (opts.standbyOf) {
    // A copy of the primary that follows it; -R writes primary_conninfo and standby.signal.
    const primary = opts.standbyOf;
    execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/pg_basebackup`, '-h', primary.host, '-p', String(primary.port), '-U', primary.user, '-D', dataDir, '-R', '-X', 'stream', '--no-sync'], {
      stdio: 'pipe',
      timeout: 120_000,
      env: { ...process.env, PGPASSWORD: primary.password },
    });
  } else {
    asPostgres(initdb, ['-D', dataDir, '-A', 'scram-sha-256', '-U', 'postgres', `--pwfile=${pwFile}`, '--no-sync']);
  }
  const settings = [`-p ${port}`, `-k ${sockDir}`, '-c listen_addresses=127.0.0.1', '-c fsync=off'];
  if (opts.maxConnections) settings.push(`-c max_connections=${opts.maxConnections}`);
  const log = join(dir.path, 'server.log');
  try {
    asPostgres(pgCtl, ['-D', dataDir, '-o', settings.join(' '), '-l', log, '-w', 'start']);
  } catch (err) {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
    dir.remove();
    throw new Error(`pg_ctl start failed: ${(err as Error).message}\n${tail}`);
  }
  await waitFor(() => existsSync(join(sockDir, `.s.PGSQL.${port}`)), 'postgres socket');
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password: opts.standbyOf?.password ?? password,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        asPostgres(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        dir.remove();
      }
    },
  };
}

function postgresIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error("no 'postgres' user: install the Debian package 'postgresql'");
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
