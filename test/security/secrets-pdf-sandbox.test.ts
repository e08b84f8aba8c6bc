import { expect, test } from 'vitest';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { withSandboxedChromium } from '../../collector/reports/sandboxed-chromium.js';
import { renderReportPdf } from '../../collector/reports/render-pdf.js';
import { ensureDebianPackage } from '../helpers/system-packages.js';

/**
 * Issue 11, item 7: PDF rendering runs Chromium sandboxed and not as root. Read from /proc while the browser
 * is up: every process of it, and the renderer's sandbox (its own user namespace, seccomp filter on).
 */
interface Proc {
  pid: number;
  ppid: number;
  uids: number[];
  seccomp: number;
  cmdline: string;
  userNs: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(status)?.[1] ?? '';
    return {
      pid,
      ppid: Number(field('PPid')),
      uids: field('Uid').split(/\s+/).map(Number),
      seccomp: Number(field('Seccomp')),
      cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '),
      userNs: readlinkSync(`/proc/${pid}/ns/user`),
    };
  } catch {
    return undefined; // exited meanwhile
  }
}

/** The browser process (the one given this profile) and every process below it. */
function browserTree(profileDir: string): Proc[] {
  const all = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map((e) => readProc(Number(e))).filter((p): p is Proc => p !== undefined);
  const root = all.filter((p) => p.cmdline.includes(`--user-data-dir=${profileDir}`) && !p.cmdline.includes('--type='));
  const tree = [...root];
  for (let grew = true; grew; ) {
    const more = all.filter((p) => !tree.includes(p) && tree.some((t) => t.pid === p.ppid));
    tree.push(...more);
    grew = more.length > 0;
  }
  return tree;
}

test('the PDF browser runs with its sandbox and no process of it is root; it does not get the collector environment', async () => {
  ensureDebianPackage('chromium', '/usr/bin/chromium');
  process.env.PATROL_TEST_SECRET_IN_ENV = 'collector-env-secret-4411';
  const seen = await withSandboxedChromium(async (context, { profileDir }) => {
    const page = await context.newPage();
    await page.setContent('<p>巡检报告</p>');
    return { tree: browserTree(profileDir), environ: readFileSync(`/proc/${browserTree(profileDir)[0]!.pid}/environ`, 'utf8') };
  });
  delete process.env.PATROL_TEST_SECRET_IN_ENV;
  const { tree, environ } = seen;
  expect(tree.length).toBeGreaterThanOrEqual(3);
  const asRoot = process.getuid?.() === 0;
  for (const p of tree) {
    expect({ pid: p.pid, cmd: p.cmdline.slice(0, 60), uids: p.uids }).toEqual({ pid: p.pid, cmd: p.cmdline.slice(0, 60), uids: asRoot ? [65534, 65534, 65534, 65534] : p.uids });
    expect(p.uids).not.toContain(0);
    expect(p.cmdline).not.toContain('--no-sandbox');
  }
  // The renderer is in the sandbox: seccomp-bpf on and a user namespace of its own.
  const renderer = tree.find((p) => p.cmdline.includes('--type=renderer'));
  expect(renderer, tree.map((p) => p.cmdline.slice(0, 80)).join('\n')).toBeDefined();
  expect(renderer!.seccomp).toBe(2);
  expect(renderer!.userNs).not.toBe(readlinkSync('/proc/self/ns/user'));
  // Only the minimal environment: nothing of the collector's (its PATROL_ secrets).
  expect(environ).not.toContain('PATROL_');
  expect(environ).toContain('HOME=');
});

test('a report still prints to PDF that way', async () => {
  const pdf = await renderReportPdf('<html><body><h1>巡检报告 2026Q4</h1></body></html>');
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
});
