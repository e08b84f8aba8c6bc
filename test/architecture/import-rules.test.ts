import { describe, expect, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { importEdges, type ImportEdge } from './import-graph.js';

/**
 * The rules of ARCHITECTURE.md, checked over the sources. A new import that breaks one fails here; the
 * KNOWN_* lists hold what the code still does against the rules, to be emptied, and a listed violation that
 * is gone must be taken off its list (so the lists never hide a fixed problem nor grow silently).
 */
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const edges = importEdges(REPO);

/** Which top-level areas each may import (besides itself). `collector/*` covers every collector folder. */
const TOP_LEVEL: Record<string, readonly string[]> = {
  shared: [],
  checks: ['shared'],
  agent: ['shared', 'checks'],
  deploy: ['shared'],
  collector: ['shared', 'checks'],
  cli: ['shared', 'checks', 'deploy', 'collector'],
  scripts: ['shared', 'checks', 'agent', 'collector', 'deploy'],
  bench: ['shared', 'checks', 'agent', 'collector', 'deploy'],
  test: ['shared', 'checks', 'agent', 'collector', 'deploy', 'cli', 'bench', 'scripts'],
};

/** `http/` keeps the app, auth and shared helpers: it may lean on these folders only. */
const HTTP_MAY_IMPORT = ['collector/db', 'collector/auth', 'collector/metrics', 'collector/http'];

const top = (area: string) => area.split('/')[0]!;
const key = (e: ImportEdge) => `${e.from} -> ${e.to}`;

/** Imports that break the top-level rules today, to be removed (issue 12). */
const KNOWN_TOP_LEVEL: readonly string[] = [];
/** `http/` importing feature folders today (routes still living in http/routes), to be moved into the features. */
const KNOWN_HTTP: readonly string[] = [];
/**
 * Folder-level cycles inside the collector, as the edges on them: none. Pages live in their rooms and are made
 * with collector/page-kit (layout, i18n, format), which imports no room's pages; only the dashboard plugin imports them, to mount them.
 */
const KNOWN_CYCLE_EDGES: readonly string[] = [];

function topLevelViolations(): string[] {
  return edges
    .filter((e) => top(e.fromArea) !== top(e.toArea))
    .filter((e) => !(TOP_LEVEL[top(e.fromArea)] ?? []).includes(top(e.toArea)))
    .map(key);
}

function httpViolations(): string[] {
  return edges.filter((e) => e.fromArea === 'collector/http' && e.toArea.startsWith('collector') && !HTTP_MAY_IMPORT.includes(e.toArea)).map(key);
}

/** Edges between collector folders that lie on a cycle of the folder graph. */
function cycleEdges(): string[] {
  // The collector's root files (server.ts, main.ts, plugins.ts) compose every room; rooms may use only the root's
  // interfaces (plugin.ts, config.ts; checked below), so the root is left out of the folder graph.
  const inner = edges.filter(
    (e) => e.fromArea.startsWith('collector/') && e.toArea.startsWith('collector/') && e.fromArea !== e.toArea,
  );
  const next = new Map<string, Set<string>>();
  for (const e of inner) (next.get(e.fromArea) ?? next.set(e.fromArea, new Set()).get(e.fromArea)!).add(e.toArea);
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length) {
      const a = stack.pop()!;
      if (a === to) return true;
      if (seen.has(a)) continue;
      seen.add(a);
      stack.push(...(next.get(a) ?? []));
    }
    return false;
  };
  // A folder edge a -> b is on a cycle when b reaches a again.
  const onCycle = new Set([...next].flatMap(([a, bs]) => [...bs].filter((b) => reaches(b, a)).map((b) => `${a} -> ${b}`)));
  return [...onCycle].sort();
}

function expectExactly(found: string[], known: readonly string[], what: string) {
  const unique = [...new Set(found)].sort();
  const added = unique.filter((v) => !known.includes(v));
  const gone = known.filter((v) => !unique.includes(v));
  expect(added, `new ${what}: fix the import (see ARCHITECTURE.md)`).toEqual([]);
  expect(gone, `${what} fixed: take it off the KNOWN list in this test`).toEqual([]);
}

describe('import rules (ARCHITECTURE.md)', () => {
  test('the sources were found', () => {
    expect(edges.length).toBeGreaterThan(500);
  });

  test('each top-level folder imports only what it may', () => {
    expectExactly(topLevelViolations(), KNOWN_TOP_LEVEL, 'top-level import');
  });

  test('the agent never imports the collector and the collector never imports the agent', () => {
    const crossing = edges.filter((e) => (top(e.fromArea) === 'agent' && top(e.toArea) === 'collector') || (top(e.fromArea) === 'collector' && top(e.toArea) === 'agent'));
    expect(crossing.map(key)).toEqual([]);
  });

  test("rooms use only the root's interfaces (plugin.ts, config.ts), never server.ts, main.ts or plugins.ts", () => {
    const found = edges
      .filter((e) => e.fromArea.startsWith('collector/') && e.toArea === 'collector')
      .filter((e) => !['collector/plugin.ts', 'collector/config.ts'].includes(e.to))
      .map(key);
    expect(found).toEqual([]);
  });

  test('http/ holds the app, auth and helpers only', () => {
    expectExactly(httpViolations(), KNOWN_HTTP, 'http/ import of a feature folder');
  });

  test('collector folders import each other without cycles', () => {
    expectExactly(cycleEdges(), KNOWN_CYCLE_EDGES, 'folder cycle');
  });
});
