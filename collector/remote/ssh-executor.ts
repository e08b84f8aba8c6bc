import { readFile } from 'node:fs/promises';
import type { NodeSSH } from 'node-ssh';
import type { ExecOptions, ExecResult, Executor } from '../../checks/define.js';
import { connectPinned, type KnownHosts } from '../../shared/ssh-connect.js';
import { createLogger } from '../../shared/logger.js';
import { ConcurrencyLimit } from '../../shared/concurrency-limit.js';

const log = createLogger('ssh-executor');

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024;
/** /proc files of big hosts (many CPUs, many mounts) are larger than a plugin's output. */
const READ_FILE_MAX_BYTES = 8 * 1024 * 1024;
/** OpenSSH's MaxSessions defaults to 10 channels per connection; stay well under it. */
const CHANNELS_PER_CONNECTION = 4;

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  /** Private key file on the collector machine. */
  privateKeyPath: string;
  /** For a key file encrypted with a passphrase. */
  passphrase?: string;
}

/** The parts of an ssh2 channel we use (node-ssh ships no types for ssh2). */
interface RemoteChannel {
  on(event: 'data', cb: (b: Buffer) => void): void;
  on(event: 'exit', cb: (code: number | null, signal?: string) => void): void;
  on(event: 'close', cb: () => void): void;
  stderr: { on(event: 'data', cb: (b: Buffer) => void): void };
  signal(name: string): void;
  close(): void;
}
interface RemoteClient {
  exec(cmd: string, cb: (err: Error | undefined, channel: RemoteChannel) => void): boolean;
  on(event: 'close' | 'end', cb: () => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
}

/** Quote one word for a POSIX shell: single quotes, with each ' written as '\''. */
export function shellQuote(word: string): string {
  if (word === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** First stderr line of every remote command: the id of its process group (see remoteCommandLine). */
const PGID_PREFIX = 'patrol-pgid:';

/**
 * The remote command line for an argv. sshd hands it to the login shell (sh, bash, csh or fish: only single
 * quotes and `exec` are asked of it), so every word is quoted. sshd starts each command in a session of its
 * own, so the program's pid is also its process group: `sh` prints that id on stderr and `exec`s the program
 * (through `env`, LC_ALL=C keeping tool output in the format the parsers expect). At a timeout the whole group
 * is killed, children of a plugin too, not only the program.
 */
export function remoteCommandLine(command: string, args: readonly string[], env: Record<string, string> = {}): string {
  if (!command || command.includes('=')) throw new Error(`not a program name: '${command}'`);
  const assigns = Object.entries({ LC_ALL: 'C', ...env }).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`not an environment variable name: '${k}'`);
    return shellQuote(`${k}=${v}`);
  });
  return ['exec', 'sh', '-c', shellQuote(`echo ${PGID_PREFIX}$$ >&2; exec "$@"`), 'sh', 'env', ...assigns, shellQuote(command), ...args.map(shellQuote)].join(' ');
}

interface PooledConnection {
  ssh: Promise<NodeSSH>;
  channels: ConcurrencyLimit;
}

/**
 * SSH connections to agentless hosts, one per (user, host, port, key), opened on first use, reused for every
 * command after, and dropped when the server closes it (the next command reconnects). Host keys are pinned
 * on first contact through KnownHosts.
 */
export class SshConnectionPool {
  private readonly connections = new Map<string, PooledConnection>();

  constructor(private readonly opts: { knownHosts: KnownHosts; readyTimeoutMs?: number }) {}

  private keyOf(t: SshTarget): string {
    return `${t.username}@${t.host}:${t.port}|${t.privateKeyPath}`;
  }

  private get(target: SshTarget): PooledConnection {
    const key = this.keyOf(target);
    const existing = this.connections.get(key);
    if (existing) return existing;
    const pooled: PooledConnection = {
      channels: new ConcurrencyLimit(CHANNELS_PER_CONNECTION),
      ssh: readPrivateKey(target.privateKeyPath)
        .then((privateKey) =>
          connectPinned(
            { host: target.host, port: target.port, username: target.username, privateKey, passphrase: target.passphrase, readyTimeoutMs: this.opts.readyTimeoutMs ?? 10_000 },
            this.opts.knownHosts,
          ),
        )
        .then((ssh) => {
        const client = ssh.connection as unknown as RemoteClient | null;
        const forget = () => {
          if (this.connections.get(key) === pooled) this.connections.delete(key);
        };
        client?.on('close', forget);
        client?.on('end', forget);
        // Without a listener an 'error' would crash the collector; the next command reconnects.
        client?.on('error', (err) => {
          log.warn({ host: `${target.host}:${target.port}`, err: err.message }, 'ssh connection error');
          forget();
        });
        return ssh;
      }),
    };
    // A failed connect is not cached: the next run tries again (the host may be back).
    pooled.ssh.catch(() => {
      if (this.connections.get(key) === pooled) this.connections.delete(key);
    });
    this.connections.set(key, pooled);
    return pooled;
  }

  /** Open (or reuse) the connection; rejects with the reason (unreachable, login refused, host key changed). */
  async connect(target: SshTarget): Promise<void> {
    await this.get(target).ssh;
  }

  executor(target: SshTarget): Executor {
    const exec = (command: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> => {
      const line = remoteCommandLine(command, args, opts.env);
      const pooled = this.get(target);
      return pooled.channels.run(async () => {
        // The check gave up (its own timeout) while this command waited for a channel: do not start it.
        if (opts.signal?.aborted) return { code: null, stdout: '', stderr: 'not run: the check was cancelled', timedOut: true };
        return runRemote(await pooled.ssh, line, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES, opts.signal);
      });
    };
    return {
      kind: 'ssh',
      exec,
      async readFile(path: string) {
        const r = await exec('cat', ['--', path], { maxOutputBytes: READ_FILE_MAX_BYTES });
        if (r.code !== 0) throw new Error(`cannot read ${path} on ${target.host}: ${r.stderr.trim().split('\n')[0] || (r.timedOut ? 'timed out' : `exit ${r.code}`)}`);
        return r.stdout;
      },
    };
  }

  /** Close the connection of one target (its settings changed or the host was removed). */
  drop(target: SshTarget): void {
    const key = this.keyOf(target);
    const pooled = this.connections.get(key);
    this.connections.delete(key);
    pooled?.ssh.then((s) => s.dispose()).catch(() => {});
  }

  get openConnections(): number {
    return this.connections.size;
  }

  async close(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map((p) => p.ssh.then((s) => s.dispose()).catch(() => {})));
  }
}

/** The key's text; a missing or unreadable file is named plainly (ssh2's own message does not say which file). */
async function readPrivateKey(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`private key ${path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (err as Error).message})`} on the collector`);
  }
}

/**
 * One command on an open connection: capped output, and at the timeout a KILL to the command's process group
 * (over a channel of its own, outside the concurrency limit: the command holds a slot) and the channel closed.
 */
function runRemote(ssh: NodeSSH, line: string, timeoutMs: number, maxBytes: number, signal?: AbortSignal): Promise<ExecResult> {
  const client = ssh.connection as unknown as RemoteClient | null;
  if (!client) return Promise.reject(new Error('ssh connection is closed'));
  return new Promise((resolve, reject) => {
    client.exec(line, (err, channel) => {
      if (err) return reject(new Error(`ssh exec failed: ${err.message}`));
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      // stderr until its first line was read: that line is the process group id, not the program's output.
      let head: Buffer | undefined = Buffer.alloc(0);
      let pgid: number | undefined;
      let code: number | null = null;
      let timedOut = false;
      const keep = (chunks: Buffer[], have: number, b: Buffer): number => {
        if (have < maxBytes) chunks.push(b.subarray(0, maxBytes - have));
        return have + b.length;
      };
      channel.on('data', (b) => (outBytes = keep(out, outBytes, b)));
      channel.stderr.on('data', (b) => {
        if (head) {
          head = Buffer.concat([head, b]);
          const nl = head.indexOf(10);
          if (nl < 0 && head.length < 64) return;
          const first = head.subarray(0, nl < 0 ? head.length : nl).toString('utf8');
          const rest = nl < 0 ? Buffer.alloc(0) : head.subarray(nl + 1);
          head = undefined;
          if (first.startsWith(PGID_PREFIX)) pgid = Number(first.slice(PGID_PREFIX.length)) || undefined;
          b = first.startsWith(PGID_PREFIX) ? rest : Buffer.concat([Buffer.from(`${first}\n`), rest]);
          if (!b.length) return;
        }
        errBytes = keep(errOut, errBytes, b);
      });
      channel.on('exit', (c) => (code = typeof c === 'number' ? c : null));
      // At the timeout, or when the check gives up first (its own timeout: the signal), the command must go.
      const stop = () => {
        if (timedOut) return;
        timedOut = true;
        if (pgid && pgid > 1) killGroup(client, pgid);
        try {
          channel.signal('KILL');
        } finally {
          channel.close();
        }
      };
      const timer = setTimeout(stop, timeoutMs);
      if (signal?.aborted) stop();
      signal?.addEventListener('abort', stop, { once: true });
      channel.on('close', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', stop);
        // A last stderr line without a newline that never became the process group line is the program's.
        if (head?.length) errBytes = keep(errOut, errBytes, head);
        resolve({
          code: timedOut ? null : code,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(errOut).toString('utf8'),
          timedOut,
        });
      });
    });
  });
}

/**
 * KILL a remote process group; best effort (the connection may be going away), logged when it fails. The
 * channel's own `signal` request is sent too, but sshd older than OpenSSH 7.9 (CentOS 7 has 7.4) ignores it,
 * and then neither the program nor its children would ever stop. `kill -s KILL -- -pgid`: the one spelling
 * dash and bash both take.
 */
function killGroup(client: RemoteClient, pgid: number): void {
  client.exec(`exec sh -c 'kill -s KILL -- -${pgid}'`, (err, channel) => {
    if (err) return log.warn({ pgid, err: err.message }, 'could not kill a timed-out remote command');
    channel.on('data', () => {});
    channel.stderr.on('data', (b) => log.debug({ pgid, stderr: b.toString('utf8') }, 'kill of a timed-out remote command said'));
  });
}
