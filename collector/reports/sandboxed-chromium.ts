import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser; PATROL_CHROMIUM overrides it. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
/** The user Chromium runs as when the collector runs as root; PATROL_PDF_USER overrides it (a dedicated one is better). */
export const DEFAULT_PDF_USER = 'nobody';

export class ChromiumMissingError extends Error {
  override name = 'ChromiumMissingError';
}

/** Chromium could not start with its sandbox (or as the unprivileged user): the PDF is refused, never made unsandboxed. */
export class ChromiumSandboxError extends Error {
  override name = 'ChromiumSandboxError';
}

// Nothing that phones home (machine-notes.md). No --no-sandbox: the report HTML holds customer text.
const FLAGS = ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/** uid and gid of a user from the system's user database (getent: also LDAP/sssd users). */
function lookupUser(name: string): RunAs {
  let line: string;
  try {
    line = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim();
  } catch {
    throw new ChromiumSandboxError(`PDF rendering runs Chromium as user '${name}' (PATROL_PDF_USER), which does not exist on this machine`);
  }
  const [, , uid, gid] = line.split(':');
  if (uid === undefined || gid === undefined || Number(uid) === 0) throw new ChromiumSandboxError(`PATROL_PDF_USER '${name}' must be an unprivileged user, not uid ${uid}`);
  return { uid: Number(uid), gid: Number(gid), name };
}

/**
 * Run `use` with a headless Chromium that is sandboxed and never root. Chromium's own sandbox (user and PID
 * namespaces plus seccomp-bpf for its renderers) is always on: PDFs render customer-supplied text (remarks,
 * host names, check output), and a renderer exploit must not land in a process that can read the collector's
 * data folder. When the collector runs as root, the browser is started through setpriv as an unprivileged
 * user (PATROL_PDF_USER, default nobody: a dedicated user such as patrol-pdf is better, as other daemons run as
 * nobody) with a profile folder of its own; it gets a minimal environment, never the collector's (which holds
 * PATROL_ secrets and would be readable in /proc by that user). If the sandbox cannot start (user namespaces
 * disabled in the kernel), the PDF fails with ChromiumSandboxError; it is never made without the sandbox.
 */
export async function withSandboxedChromium<T>(use: (context: BrowserContext, launched: { profileDir: string }) => Promise<T>, opts: { executablePath?: string; user?: string } = {}): Promise<T> {
  const chromiumPath = opts.executablePath ?? process.env.PATROL_CHROMIUM ?? DEFAULT_CHROMIUM;
  if (!existsSync(chromiumPath)) {
    throw new ChromiumMissingError(
      `PDF needs Chromium at ${chromiumPath}, which is missing: install the Debian package 'chromium' (apt-get install -y chromium) or set PATROL_CHROMIUM; the HTML and JSON reports do not need it`,
    );
  }
  const asRoot = process.getuid?.() === 0;
  const runAs = asRoot ? lookupUser(opts.user ?? process.env.PATROL_PDF_USER ?? DEFAULT_PDF_USER) : undefined;
  // Root-owned, readable by all: the launcher script and, below it, the profile that belongs to the browser's user.
  const work = mkdtempSync(join(tmpdir(), 'patrol-pdf-'));
  chmodSync(work, 0o755);
  const home = join(work, 'home');
  const profile = join(home, 'profile');
  mkdirSync(profile, { recursive: true, mode: 0o700 });
  let executablePath = chromiumPath;
  if (runAs) {
    // Made here and given to the browser's user: Playwright would make a missing profile folder as root.
    for (const dir of [home, profile]) chownSync(dir, runAs.uid, runAs.gid);
    // setpriv execs (no fork), so the pipes Playwright talks over (fds 3 and 4) reach Chromium.
    executablePath = join(work, 'chromium-as-user');
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    writeFileSync(executablePath, `#!/bin/sh\nexec setpriv --reuid=${runAs.uid} --regid=${runAs.gid} --clear-groups -- ${q(chromiumPath)} "$@"\n`, { mode: 0o755 });
  }
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    LANG: 'C.UTF-8',
  };
  // Loaded here, not at start: playwright-core alone costs the collector ~80 MB of memory.
  const { chromium } = await import('playwright-core');
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, chromiumSandbox: true, args: FLAGS, env });
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    const msg = (err as Error).message;
    if (/sandbox/i.test(msg)) {
      throw new ChromiumSandboxError(
        `Chromium's sandbox did not start${runAs ? ` as user ${runAs.name}` : ''}, so no PDF is made (it is never made unsandboxed): the kernel must allow unprivileged user namespaces (sysctl user.max_user_namespaces > 0, and kernel.unprivileged_userns_clone=1 where it exists): ${msg.split('\n')[0]}`,
        { cause: err },
      );
    }
    throw err;
  }
  try {
    return await use(context, { profileDir: profile });
  } finally {
    await context.close();
    rmSync(work, { recursive: true, force: true });
  }
}
