import { z } from 'zod';
import { defineCheck, type ExecResult, type Executor } from '../define.js';
import { worstStatus, statusAbove, type Status } from '../../shared/status.js';
import { say } from './messages.js';
import { UPDATES } from './metrics.js';

/**
 * Pending package updates, and how many of them are security updates, from the package manager's own dry run:
 * `apt-get -s upgrade` on Debian/Ubuntu (nothing is installed, no lock taken), `dnf`/`yum updateinfo` on
 * RHEL/CentOS/Kylin. The commands are fixed argv (no shell, nothing from the collector), so, like `ps` or
 * `systemctl` in other built-in checks, they need no entry in the host's exec allow-list. The check never
 * refreshes the package lists (`apt-get update` needs the network and root): it judges what the host's own
 * schedule last fetched.
 */

const UpdatesParams = z.object({
  /** Which package manager to ask; `auto` tries apt-get, then dnf, then yum. */
  manager: z.enum(['auto', 'apt', 'dnf', 'yum']).default('auto'),
  /** Security updates at or above this many: WARNING (1: any pending security update). */
  securityWarnCount: z.number().int().positive().default(1),
  /** Security updates at or above this many: CRITICAL. */
  securityCritCount: z.number().int().positive().default(20),
  /** All pending updates at or above this many: WARNING; not judged when absent. */
  pendingWarnCount: z.number().int().positive().optional(),
  /**
   * Each package manager run is killed after this long. Keep it below the assignment's `timeoutSec` (30 by
   * default): dnf may fetch metadata first, so give both more (e.g. 120 and 150) on RHEL hosts.
   */
  timeoutSec: z.number().positive().max(600).default(25),
});

export interface UpdateCount {
  pending: number;
  security: number;
  /** Up to 200 package names, for the details. */
  packages: string[];
  securityPackages: string[];
}

const MAX_LISTED = 200;

/**
 * Parse `apt-get -s upgrade`: one `Inst name [old] (new origin, origin [arch])` line per package it would
 * upgrade or install. A package is a security update when any origin it comes from is a security archive
 * (`Debian-Security:12/stable-security`, `Ubuntu:22.04/jammy-security`).
 */
export function parseAptSimulation(stdout: string): UpdateCount {
  const out: UpdateCount = { pending: 0, security: 0, packages: [], securityPackages: [] };
  for (const line of stdout.split('\n')) {
    const m = /^Inst (\S+)(?: \[[^\]]*\])?(?: \((.*)\))?/.exec(line);
    if (!m) continue;
    out.pending++;
    if (out.packages.length < MAX_LISTED) out.packages.push(m[1]!);
    if (/security/i.test(m[2] ?? '')) {
      out.security++;
      if (out.securityPackages.length < MAX_LISTED) out.securityPackages.push(m[1]!);
    }
  }
  return out;
}

/**
 * Parse `dnf/yum updateinfo list --security`: one `ADVISORY SEVERITY/Sec. package-version.arch` line per
 * advisory and package. A package named by several advisories is one update, so packages are counted once.
 */
export function parseUpdateinfoSecurity(stdout: string): string[] {
  const pkgs = new Set<string>();
  for (const line of stdout.split('\n')) {
    const cols = line.trim().split(/\s+/);
    // The advisory id has a dash or colon (RHSA-2024:1234, FEDORA-2024-..., KYSA-...); headers and notes do not.
    if (cols.length < 3 || !/[-:]/.test(cols[0]!) || (!/\//.test(cols[1]!) && !/Sec/i.test(cols[1]!))) continue;
    pkgs.add(cols[cols.length - 1]!);
  }
  return [...pkgs];
}

/** Parse `dnf/yum check-update`: `name.arch  version  repo` lines, up to the "Obsoleting Packages" section. */
export function parseCheckUpdate(stdout: string): string[] {
  const pkgs: string[] = [];
  for (const line of stdout.split('\n')) {
    if (/^Obsoleting/i.test(line)) break;
    const m = /^(\S+\.\S+)\s+\S+\s+\S+\s*$/.exec(line);
    if (m && !/^(Last|Security:)/.test(line)) pkgs.push(m[1]!);
  }
  return pkgs;
}

/** The program is not installed (spawn error, or the shell's 126/127 over SSH). */
function missing(r: ExecResult): boolean {
  return (r.code === null && !r.timedOut) || r.code === 126 || r.code === 127;
}

type Asked = { count: UpdateCount; manager: 'apt' | 'dnf' | 'yum' } | { failed: string; manager: string } | { absent: true };

async function askApt(x: Executor, opts: { timeoutMs: number; signal: AbortSignal }): Promise<Asked> {
  const r = await x.exec('apt-get', ['-s', '-o', 'Debug::NoLocking=1', 'upgrade'], { ...opts, maxOutputBytes: 8 * 2 ** 20 });
  if (missing(r)) return { absent: true };
  if (r.code !== 0) return { manager: 'apt-get', failed: r.timedOut ? 'timed out' : (r.stderr.trim() || `exit ${r.code}`).slice(0, 500) };
  return { manager: 'apt', count: parseAptSimulation(r.stdout) };
}

async function askRpm(x: Executor, tool: 'dnf' | 'yum', opts: { timeoutMs: number; signal: AbortSignal }): Promise<Asked> {
  const secArgs = tool === 'dnf' ? ['-q', 'updateinfo', 'list', '--security'] : ['-q', 'updateinfo', 'list', 'security'];
  const sec = await x.exec(tool, secArgs, { ...opts, maxOutputBytes: 8 * 2 ** 20 });
  if (missing(sec)) return { absent: true };
  if (sec.code !== 0) return { manager: tool, failed: sec.timedOut ? 'timed out' : (sec.stderr.trim() || `exit ${sec.code}`).slice(0, 500) };
  // check-update exits 100 when updates are pending, 0 when there are none.
  const all = await x.exec(tool, ['-q', 'check-update'], { ...opts, maxOutputBytes: 8 * 2 ** 20 });
  if (all.code !== 0 && all.code !== 100) return { manager: tool, failed: all.timedOut ? 'timed out' : (all.stderr.trim() || `exit ${all.code}`).slice(0, 500) };
  const securityPackages = parseUpdateinfoSecurity(sec.stdout);
  const packages = parseCheckUpdate(all.stdout);
  return {
    manager: tool,
    count: {
      // A security update is an update even where check-update listed it under another name form.
      pending: Math.max(packages.length, securityPackages.length),
      security: securityPackages.length,
      packages: packages.slice(0, MAX_LISTED),
      securityPackages: securityPackages.slice(0, MAX_LISTED),
    },
  };
}

export default defineCheck({
  id: 'system.updates',
  title: { en: 'Pending updates', zh: '待安装更新' },
  params: UpdatesParams,
  async run(ctx, p) {
    const opts = { timeoutMs: p.timeoutSec * 1000, signal: ctx.signal };
    const order = p.manager === 'auto' ? (['apt', 'dnf', 'yum'] as const) : [p.manager];
    let asked: Asked = { absent: true };
    for (const m of order) {
      asked = m === 'apt' ? await askApt(ctx.exec, opts) : await askRpm(ctx.exec, m, opts);
      if (!('absent' in asked)) break;
    }
    if ('absent' in asked) return { status: 'UNKNOWN', ...say('system.updates.noManager', { tried: order.map((m) => (m === 'apt' ? 'apt-get' : m)).join(', ') }) };
    if ('failed' in asked) return { status: 'UNKNOWN', ...say('system.updates.failed', { manager: asked.manager, error: asked.failed }) };
    const { count, manager } = asked;
    const statuses: Status[] = [statusAbove(count.security, p.securityWarnCount, p.securityCritCount)];
    if (p.pendingWarnCount !== undefined && count.pending >= p.pendingWarnCount) statuses.push('WARNING');
    const details = [
      count.securityPackages.length ? `security: ${count.securityPackages.join(' ')}` : '',
      count.packages.length ? `all: ${count.packages.join(' ')}` : '',
    ].filter(Boolean).join('\n');
    return {
      status: worstStatus(statuses),
      ...(count.pending === 0 ? say('system.updates.none', { manager }) : say('system.updates.pending', { pending: count.pending, security: count.security, manager })),
      details: details || undefined,
      metrics: [{ measurement: UPDATES.name, fields: { [UPDATES.field.pending]: count.pending, [UPDATES.field.security]: count.security } }],
    };
  },
});
