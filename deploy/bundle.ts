import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

export function defaultBundlePath(version: string): string {
  return join(ROOT, 'dist', `patrol-agent-${version}.tar.gz`);
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
