/**
 * The oldest Node.js the agent bundle runs on. 18: global fetch (enrollment) and the esbuild target of the
 * bundle; the collector itself needs 20 (better-sqlite3 12), the agent does not.
 */
export const MIN_AGENT_NODE_VERSION = '18.0.0';

function parts(v: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Why this Node.js version cannot run the agent, or undefined when it can. */
export function nodeVersionProblem(version: string, min = MIN_AGENT_NODE_VERSION): string | undefined {
  const have = parts(version);
  const need = parts(min)!;
  if (!have) return `cannot read the Node.js version from "${version.trim()}"`;
  for (let i = 0; i < 3; i++) {
    if (have[i]! > need[i]!) return undefined;
    if (have[i]! < need[i]!) return `Node.js ${version.trim().replace(/^v?/, 'v')} is too old: the Patrol agent needs v${min} or newer`;
  }
  return undefined;
}

/**
 * The same check as plain old JavaScript, placed at the very top of the bundle (esbuild banner), so an old
 * Node.js stops with a sentence instead of a syntax error or a missing-API crash deep inside.
 */
export function nodeVersionGuardSource(min = MIN_AGENT_NODE_VERSION): string {
  return [
    '(function () {',
    `  var min = ${JSON.stringify(min)}.split('.').map(Number);`,
    "  var have = String(process.versions.node).split('.').map(Number);",
    '  for (var i = 0; i < 3; i++) {',
    '    if (have[i] > min[i]) return;',
    '    if (have[i] < min[i]) {',
    `      process.stderr.write('patrol-agent: Node.js v' + process.versions.node + ' is too old; the Patrol agent needs v${min} or newer.\\n');`,
    '      process.exit(3);',
    '    }',
    '  }',
    '})();',
  ].join('\n');
}
