import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const TITLE = '## Fleet (npm run bench:fleet)';
const BEGIN = '<!-- fleet-table:begin -->';
const END = '<!-- fleet-table:end -->';

/**
 * Put one row per (agents, store) into the fleet table of docs/benchmarks.md, keeping the rows of other runs
 * (each N is a run of its own) and any text written around the table. The first two cells are the row's key.
 */
export function upsertFleetRows(header: string[], rows: string[][], intro: string, file = 'docs/benchmarks.md'): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END);
  const old = from >= 0 && to > from ? text.slice(from + BEGIN.length, to) : '';
  const keyed = new Map<string, string[]>();
  for (const line of old.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length === header.length && cells[0] !== header[0] && !/^-+$/.test(cells[0]!)) keyed.set(`${cells[0]}|${cells[1]}`, cells);
  }
  for (const r of rows) keyed.set(`${r[0]}|${r[1]}`, r);
  const sorted = [...keyed.values()].sort((a, b) => Number(a[0]!.replace(/\D/g, '')) - Number(b[0]!.replace(/\D/g, '')) || a[1]!.localeCompare(b[1]!));
  const table = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...sorted.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const block = `${BEGIN}\n${table}\n${END}`;
  if (from >= 0 && to > from) {
    writeFileSync(file, `${text.slice(0, from)}${block}${text.slice(to + END.length)}`);
    return;
  }
  writeFileSync(file, `${text.trimEnd()}\n\n${TITLE}\n\n${intro.trim()}\n\n${block}\n`);
}
