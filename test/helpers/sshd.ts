import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackage } from './system-packages.js';
import { freePort, waitFor } from './ports.js';
import { tempDir } from './temp-dir.js';
import { connect } from 'node:net';
import { stopChild } from './processes.js';

/**
 * A private OpenSSH server on a free loopback port, standing in for one customer host: its own Unix user
 * (shell /bin/sh, home in a temp folder), a fresh ed25519 client key in authorized_keys, and its own host key.
 * Config from machine-notes.md (UsePAM no, StrictModes no, useradd + usermod -p '*'). Needs root.
 */
export interface RunningSshd {
  host: '127.0.0.1';
  port: number;
  /** The login user (created for this server unless an existing one was given). */
  user: string;
  /** Private key that logs in as `user`. */
  keyPath: string;
  /** The user's home folder (inside the server's temp folder, owned by the user). */
  home: string;
  /** The server's temp folder (config, host key, client key, log). */
  dir: string;
  uid: number;
  gid: number;
  /** Run a command on this machine as the login user (test assertions about the "remote" side). */
  runAsUser(cmd: string): string;
  /** Give the server a new host key and restart it on the same port (a reinstalled host, or an impostor). */
  rotateHostKey(): Promise<void>;
  stop(): Promise<void>;
}

export interface SshdOptions {
  /** Log in as this existing user instead of creating one (its home is left alone). */
  user?: string;
  /** Prefix of the created user's name (Linux user names are at most 32 chars). */
  userPrefix?: string;
}

const SSHD = '/usr/sbin/sshd';

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Pids of the processes a (test-created) user still runs (read from /proc: no procps needed). */
export function processesOf(user: string): number[] {
  let uid: string;
  try {
    uid = sh('id', ['-u', user]).trim();
  } catch {
    return []; // no such user (any more)
  }
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      if (m?.[1] === uid) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

function waitForBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('SSH-'));
    });
    s.once('error', () => resolve(false));
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
  });
}

export async function startSshd(opts: SshdOptions = {}): Promise<RunningSshd> {
  ensureDebianPackage('openssh-server', SSHD);
  if (process.getuid?.() !== 0) throw new Error('startSshd needs root (it creates a Unix user and runs sshd)');
  const dir = tempDir('sshd');
  // The login user must reach its home below this folder.
  chmodSync(dir.path, 0o755);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const created = !opts.user;
  const user = opts.user ?? `${opts.userPrefix ?? 'pt'}${randomBytes(4).toString('hex')}`;
  const home = created ? join(dir.path, 'home') : sh('sh', ['-c', `getent passwd ${user} | cut -d: -f6`]).trim();
  if (created) {
    sh('useradd', ['-m', '-d', home, '-s', '/bin/sh', user]);
    sh('usermod', ['-p', '*', user]); // unlocked, but no password login
  }
  const uid = Number(sh('id', ['-u', user]).trim());
  const gid = Number(sh('id', ['-g', user]).trim());

  const keyPath = join(dir.path, 'client_key');
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `test@${user}`, '-f', keyPath]);
  const authorizedKeys = join(dir.path, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(`${keyPath}.pub`));
  chownSync(authorizedKeys, uid, gid);
  chmodSync(authorizedKeys, 0o644);

  const hostKey = join(dir.path, 'host_key');
  const newHostKey = () => {
    rmSync(hostKey, { force: true });
    rmSync(`${hostKey}.pub`, { force: true });
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  };
  newHostKey();

  const port = await freePort();
  const conf = join(dir.path, 'sshd_config');
  writeFileSync(
    conf,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'UsePAM no',
      'StrictModes no',
      `PidFile ${join(dir.path, 'sshd.pid')}`,
      'Subsystem sftp /usr/lib/openssh/sftp-server',
      `AllowUsers ${user}`,
      'MaxStartups 50',
      'MaxSessions 50',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );

  let proc: ChildProcess | undefined;
  const launch = async () => {
    const p = spawn(SSHD, ['-D', '-e', '-f', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    proc = p;
    await waitFor(
      async () => {
        if (p.exitCode !== null) throw new Error(`sshd exited with ${p.exitCode}: ${stderr}`);
        return waitForBanner(port);
      },
      `sshd on 127.0.0.1:${port}`,
      10_000,
      50,
    );
  };
  const halt = async () => {
    const p = proc;
    proc = undefined;
    await stopChild(p);
  };
  await launch();

  return {
    host: '127.0.0.1',
    port,
    user,
    keyPath,
    home,
    dir: dir.path,
    uid,
    gid,
    runAsUser: (cmd) => execFileSync('runuser', ['-u', user, '--', 'sh', '-c', cmd], { encoding: 'utf8', cwd: '/' }),
    async rotateHostKey() {
      await halt();
      newHostKey();
      await launch();
    },
    async stop() {
      await halt();
      if (created) {
        // Processes the tests left behind under this user would keep userdel from working.
        for (const pid of processesOf(user)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already exited
          }
        }
        try {
          execFileSync('userdel', [user], { stdio: 'ignore' });
        } catch {
          // already gone
        }
      }
      dir.remove();
    },
  };
}
