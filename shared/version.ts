import { readFileSync } from 'node:fs';

/** The package version, read once; agents report it in hello. */
export const PATROL_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return process.env.PATROL_AGENT_VERSION ?? '0.0.0';
  }
})();
