import { readFileSync } from 'node:fs';

/** Set by esbuild's `define` when the agent bundle is built (deploy/build-agent.ts); absent under tsx. */
declare const __PATROL_VERSION__: string | undefined;

/** The package version, read once; agents report it in hello. */
export const PATROL_VERSION: string =
  typeof __PATROL_VERSION__ === 'string'
    ? __PATROL_VERSION__
    : (() => {
        try {
          const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
          return pkg.version ?? '0.0.0';
        } catch {
          return process.env.PATROL_AGENT_VERSION ?? '0.0.0';
        }
      })();
