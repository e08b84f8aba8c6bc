import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { ensureDebianPackage } from './system-packages.js';
import { freePort, waitFor } from './ports.js';
import { tempDir } from './temp-dir.js';
import { stopChild } from './processes.js';
import { tcpOpen } from './redis.js';

export interface RunningDovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Put a message in the user's INBOX the way a mail server delivers it (IMAP APPEND, no flags). */
  deliver(raw: string): Promise<void>;
  /** The flags of each message in INBOX by UID (to see what the collector marked). */
  flags(): Promise<Map<number, Set<string>>>;
  stop(): Promise<void>;
}

/**
 * A real Dovecot IMAP server (Debian 'dovecot-imapd') in the foreground on a free loopback port, plain IMAP with
 * one passwd-file user and Maildir in a temp folder (the config of /work/shared/machine-notes.md: Dovecot runs as
 * root but serves mail as the dovecot user; logins need a uid at or above first_valid_uid).
 */
export async function startDovecot(opts: { user?: string; password?: string } = {}): Promise<RunningDovecot> {
  const bin = ensureDebianPackage('dovecot-imapd', '/usr/sbin/dovecot');
  const dir = tempDir('dovecot');
  const port = await freePort();
  const user = opts.user ?? 'support@patrol.test';
  const password = opts.password ?? `pw-${Math.random().toString(36).slice(2)}`;
  const uid = Number(execFileSync('id', ['-u', 'dovecot']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'dovecot']).toString().trim());
  for (const d of ['run', 'state', 'mail']) mkdirSync(join(dir.path, d), { recursive: true });
  chmodSync(dir.path, 0o755);
  chownSync(join(dir.path, 'mail'), uid, gid);
  writeFileSync(join(dir.path, 'users'), `${user}:{PLAIN}${password}::::::\n`);
  const conf = join(dir.path, 'dovecot.conf');
  writeFileSync(
    conf,
    `protocols = imap
listen = 127.0.0.1
base_dir = ${dir.path}/run
state_dir = ${dir.path}/state
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = ${dir.path}/dovecot.log
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = 100
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir.path}/users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir.path}/mail/%u
}
mail_location = maildir:~/Maildir
`,
  );
  const child = spawn(bin, ['-c', conf, '-F'], { stdio: 'ignore' });
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`dovecot exited with ${child.exitCode}; see ${dir.path}/dovecot.log`);
    return tcpOpen(port);
  }, 'dovecot port');

  const client = () => new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false, disableAutoIdle: true });
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    async deliver(raw) {
      const c = client();
      await c.connect();
      try {
        await c.append('INBOX', raw, []);
      } finally {
        await c.logout();
      }
    },
    async flags() {
      const c = client();
      await c.connect();
      const out = new Map<number, Set<string>>();
      try {
        const lock = await c.getMailboxLock('INBOX');
        try {
          for await (const m of c.fetch('1:*', { uid: true, flags: true })) out.set(m.uid, m.flags ?? new Set());
        } catch {
          // an empty mailbox has no 1:*
        } finally {
          lock.release();
        }
      } finally {
        await c.logout();
      }
      return out;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopChild(child);
      dir.remove();
    },
  };
}

/** Files under a folder, recursively (to look at stored attachments). */
export function filesUnder(path: string): string[] {
  return readdirSync(path, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(join(path, d.name)) : statSync(join(path, d.name)).isFile() ? [join(path, d.name)] : []));
}
