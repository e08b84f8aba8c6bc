import type { NodeSSH } from 'node-ssh';

/** Quote one word for POSIX sh. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export class RemoteCommandError extends Error {
  override name = 'RemoteCommandError';
}

/**
 * Commands on one host over an open SSH connection. `root: true` runs through `sudo -n` when the login user
 * is not root and the inventory allows sudo (never a password prompt: -n fails instead of asking).
 */
export class RemoteShell {
  constructor(
    private readonly ssh: NodeSSH,
    private readonly opts: { sudo: boolean; loginIsRoot: () => boolean },
  ) {}

  get canBeRoot(): boolean {
    return this.opts.loginIsRoot() || this.opts.sudo;
  }

  /** Run a script; resolves stdout, rejects with the command's stderr (last lines) on a non-zero exit. */
  async run(script: string, opts: { root?: boolean; what?: string } = {}): Promise<string> {
    const r = await this.exec(script, opts);
    if (r.code !== 0) {
      const detail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-5).join(' | ');
      throw new RemoteCommandError(`${opts.what ?? 'remote command'} failed (exit ${r.code ?? 'signal'}): ${detail || 'no output'}`);
    }
    return r.stdout;
  }

  async exec(script: string, opts: { root?: boolean } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    let command = `sh -c ${shq(script)}`;
    if (opts.root && !this.opts.loginIsRoot()) {
      if (!this.opts.sudo) throw new RemoteCommandError('this step needs root: log in as root or set `sudo: true` for the host in the inventory');
      command = `sudo -n ${command}`;
    }
    const r = await this.ssh.execCommand(command, { cwd: '/' });
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  }

  async putFile(local: string, remote: string): Promise<void> {
    await this.ssh.putFile(local, remote);
  }
}
