import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One relative import in the sources: the importing file, the imported file and their areas. */
export interface ImportEdge {
  from: string;
  to: string;
  fromArea: string;
  toArea: string;
  typeOnly: boolean;
}

const ROOTS = ['shared', 'checks', 'agent', 'collector', 'deploy', 'cli', 'bench', 'scripts', 'test'];

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|mts)$/.test(name)) out.push(p);
  }
  return out;
}

/**
 * The area a file belongs to: its top-level folder, or for the collector its feature folder
 * (`collector/tickets`); files directly in `collector/` are the area `collector`.
 */
export function areaOf(repoRelative: string): string {
  const parts = repoRelative.split('/');
  if (parts[0] === 'collector' && parts.length > 2) return `collector/${parts[1]}`;
  return parts[0]!;
}

// Static `import ... from`, `export ... from` and dynamic `import('...')` of relative paths.
const IMPORT_RE = /(import\s+type\s[^'"]*?from\s+|import\s[^'"]*?from\s+|export\s[^'"]*?from\s+|import\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

export function importEdges(repoRoot: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const root of ROOTS) {
    let files: string[];
    try {
      files = sourceFiles(join(repoRoot, root));
    } catch {
      continue;
    }
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT_RE)) {
        const from = relative(repoRoot, file);
        const to = relative(repoRoot, resolve(dirname(file), m[2]!)).replace(/\.js$/, '.ts');
        edges.push({ from, to, fromArea: areaOf(from), toArea: areaOf(to), typeOnly: m[1]!.startsWith('import type') });
      }
    }
  }
  return edges;
}
