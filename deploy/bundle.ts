import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An agent tarball made by `npm run build:agent`, with the version it carries. */
export interface AgentBundle {
  tarball: string;
  fileName: string;
  /** The one folder inside: patrol-agent-<version>. */
  topFolder: string;
  version: string;
}

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * The tarball `npm run build:agent` made last for this package version: dist/patrol-agent-<version>+<hash>.tar.gz
 * (or one built with an explicit --version equal to it). When there is none, the plain name, for the error.
 */
export function defaultBundlePath(packageVersion: string, distDir = join(ROOT, 'dist')): string {
  const plain = `patrol-agent-${packageVersion}.tar.gz`;
  let names: string[] = [];
  try {
    names = readdirSync(distDir).filter((n) => n === plain || (n.startsWith(`patrol-agent-${packageVersion}+`) && n.endsWith('.tar.gz')));
  } catch {
    // no dist folder yet
  }
  const newest = names.map((n) => ({ path: join(distDir, n), mtimeMs: statSync(join(distDir, n)).mtimeMs })).sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
  return newest?.path ?? join(distDir, plain);
}

/** Look inside the tarball (system tar) for its folder and VERSION; the file name is not trusted. */
export function openBundle(tarball: string): AgentBundle {
  const path = resolve(tarball);
  if (!existsSync(path)) throw new Error(`agent bundle ${path} not found: run \`npm run build:agent\` first (or pass --bundle FILE)`);
  let listing: string;
  try {
    listing = execFileSync('tar', ['-tzf', path], { encoding: 'utf8' });
  } catch (err) {
    throw new Error(`${path} is not a readable .tar.gz: ${(err as Error).message}`);
  }
  const tops = new Set(listing.split('\n').filter(Boolean).map((l) => l.split('/')[0]!));
  const [topFolder] = [...tops];
  if (tops.size !== 1 || !topFolder || !listing.includes(`${topFolder}/patrol-agent.mjs`)) {
    throw new Error(`${path} is not a Patrol agent bundle (expected one folder with patrol-agent.mjs)`);
  }
  const version = execFileSync('tar', ['-xzOf', path, `${topFolder}/VERSION`], { encoding: 'utf8' }).trim();
  if (!/^[0-9A-Za-z][0-9A-Za-z.+-]*$/.test(version)) throw new Error(`${path} carries an unreadable VERSION "${version}"`);
  return { tarball: path, fileName: basename(path), topFolder, version };
}

/** One file of the bundle, read with the system tar (the unit template, for rendering per host). */
export function readBundleFile(bundle: AgentBundle, name: string): string {
  return execFileSync('tar', ['-xzOf', bundle.tarball, `${bundle.topFolder}/${name}`], { encoding: 'utf8' });
}
