import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

/** The machine a figure was measured on, for the header of each section. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`;
}

/**
 * Replace (or append) one section of docs/benchmarks.md, so each benchmark rewrites only its own figures.
 * A section runs from its "## Title" line to the next "## " line.
 */
export function writeBenchmarkSection(title: string, body: string, file = 'docs/benchmarks.md'): void {
  const header = '# Benchmarks\n\nFigures printed by `npm run bench:*`, rewritten by each run of that benchmark.\n';
  const text = existsSync(file) ? readFileSync(file, 'utf8') : header;
  const section = `## ${title}\n\n${body.trim()}\n`;
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${title}`);
  if (start < 0) {
    writeFileSync(file, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  let end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  if (end < 0) end = lines.length;
  writeFileSync(file, [...lines.slice(0, start), ...section.split('\n'), ...lines.slice(end)].join('\n').replace(/\n{3,}/g, '\n\n'));
}
