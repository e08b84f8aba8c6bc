import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Replace the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->` in a Markdown file, leaving the rest
 * of the file (and hand-written text of the same section around the markers) as it is. Without the markers,
 * a new section `## title` holding them is appended.
 */
export function writeMarkedBlock(file: string, name: string, title: string, body: string): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n${body.trim()}\n${end}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from >= 0 && to > from) {
    writeFileSync(file, `${text.slice(0, from)}${block}${text.slice(to + end.length)}`);
    return;
  }
  writeFileSync(file, `${text.trimEnd()}\n\n## ${title}\n\n${block}\n`);
}
