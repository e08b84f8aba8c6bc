import type { Block, ReportDocument } from './document.js';

/**
 * A report document (document.ts) as Markdown, for engineers who paste a report into a mail or a wiki: the same
 * headings, tables and words as the HTML and PDF; charts are left out (their figures are in the tables) and
 * every text is escaped so user input cannot break the layout.
 */

function md(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/([*_`#<>[\]])/g, '\\$1').replace(/\r?\n/g, '<br>');
}

function blockMarkdown(b: Block): string | null {
  switch (b.kind) {
    case 'cover':
      return [`# ${md(b.title)}`, md(b.subtitle), ...(b.issuer ? [md(b.issuer)] : []), b.fields.map((f) => `- ${md(f.label)}: ${md(f.value)}`).join('\n'), ...b.footer.map(md)].join('\n\n');
    case 'toc':
      return null;
    case 'heading':
      return `${'#'.repeat(b.level + 1)} ${md(b.text)}`;
    case 'paragraph':
      return b.small || b.tone === 'muted' ? `_${md(b.text)}_` : md(b.text);
    case 'list':
      return b.items.map((i, n) => `${b.ordered ? `${n + 1}.` : '-'} ${md(i)}`).join('\n');
    case 'table':
      return [`| ${b.head.map(md).join(' | ')} |`, `|${b.head.map(() => ' --- ').join('|')}|`, ...b.rows.map((r) => `| ${r.map((c) => md(c.text)).join(' | ')} |`)].join('\n');
    case 'chart':
      return null;
    case 'score':
      return `**${md(b.label)}: ${b.score}** (${md(b.verdict)})`;
    case 'signatures':
      return b.parties.map((p) => `- ${md(p.role)} — ${md(b.signLabel)} ${md(p.name) || '________'} ${md(b.dateLabel)} ${md(p.date) || '________'}${p.note ? ` (${md(p.note)})` : ''}`).join('\n');
  }
}

export function renderDocumentMarkdown(doc: ReportDocument): string {
  const parts = doc.blocks.map(blockMarkdown).filter((p): p is string => p !== null);
  parts.push(`_${md(doc.footer.confidential)}_`);
  return parts.join('\n\n') + '\n';
}
