import type { Block, Cell, CoverBlock, ReportDocument, TableBlock } from './document.js';
import { REPORT_FONT } from './document.js';
import { inspectionDocument } from './inspection-document.js';
import type { InspectionReport } from './model.js';
import { escapeXml as esc } from './svg.js';

export { inspectionName, periodName } from './inspection-document.js';

/**
 * A report document (document.ts) as one self-contained HTML page: inline CSS and SVG, the logo as a data:
 * image, no script, no request to anywhere, every text escaped. Print CSS makes A4 pages for the PDF, whose
 * running header and footer (logo, issuer, confidentiality line, page x of y) come from pdfHeaderFooter.
 */

const CSS = `
@page { size: A4; margin: 24mm 14mm 20mm; }
* { box-sizing: border-box; }
body { font-family: ${REPORT_FONT}; color: #222; font-size: 11.5px; line-height: 1.55; margin: 0 auto; max-width: 900px; padding: 12px; }
h1 { font-size: 19px; border-bottom: 2px solid #1f3b57; padding-bottom: 3px; margin: 22px 0 10px; color: #1f3b57; }
h2 { font-size: 16px; margin: 18px 0 8px; color: #1f3b57; } h3 { font-size: 13px; margin: 14px 0 5px; }
h1, h2, h3 { page-break-after: avoid; break-after: avoid; }
.new-page { page-break-before: always; break-before: page; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; table-layout: fixed; }
th, td { border: 1px solid #c8ced6; padding: 3px 5px; text-align: left; vertical-align: top; overflow-wrap: anywhere; white-space: pre-line; }
th { background: #eef2f6; font-weight: bold; }
tr { page-break-inside: avoid; break-inside: avoid; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } td.nw, th.nw { white-space: nowrap; overflow-wrap: normal; } td.b { font-weight: bold; }
.ok { color: #1e8449; } .warn { color: #b9770e; } .crit { color: #c0392b; } .unknown { color: #7f8c8d; }
.high { color: #c0392b; } .medium { color: #b9770e; } .low { color: #555; } .muted { color: #666; } .small { font-size: 10px; }
.cover { min-height: 250mm; display: flex; flex-direction: column; page-break-after: always; break-after: page; }
.cover .issuer { display: flex; align-items: center; gap: 12px; font-size: 15px; color: #1f3b57; font-weight: bold; min-height: 20mm; }
.cover .issuer img { max-height: 20mm; max-width: 60mm; }
.cover h1 { font-size: 34px; border: none; margin: 40mm 0 6px; letter-spacing: 4px; }
.cover .subtitle { font-size: 18px; margin: 0 0 18mm; }
.cover dl { display: grid; grid-template-columns: 8em 1fr; gap: 7px 14px; font-size: 13px; margin: 0; } .cover dt { color: #555; } .cover dd { margin: 0; }
.cover .cover-foot { margin-top: auto; border-top: 1px solid #c8ced6; padding-top: 6px; font-size: 11px; color: #444; }
.toc ol { list-style: none; padding: 0; margin: 0; } .toc li { padding: 3px 0; border-bottom: 1px dotted #ccc; } .toc li.l2 { padding-left: 2em; font-size: 11px; }
.toc a { color: inherit; text-decoration: none; }
.score { display: flex; align-items: baseline; gap: 14px; margin: 6px 0; } .score .value { font-size: 38px; font-weight: bold; } .score .verdict { font-size: 18px; font-weight: bold; }
.chart { margin: 4px 0 12px; page-break-inside: avoid; break-inside: avoid; } .chart svg { max-width: 100%; height: auto; }
.signatures { display: flex; gap: 18px; margin-top: 14px; page-break-inside: avoid; break-inside: avoid; }
.signatures .party { flex: 1; border: 1px solid #9aa7b4; padding: 10px 12px; min-height: 46mm; }
.signatures .role { font-weight: bold; font-size: 13px; margin-bottom: 8mm; }
.signatures .line { margin: 2mm 0 0; border-bottom: 1px solid #555; min-height: 7mm; } .signatures .gap { margin-top: 6mm; } .signatures .stamp { height: 26mm; }
@media print { body { max-width: none; padding: 0; } }
`;

function tableHtml(t: TableBlock): string {
  const cls = (c: Cell) => [c.numeric ? 'n' : '', c.nowrap ? 'nw' : '', c.bold ? 'b' : '', c.tone ?? ''].filter(Boolean).join(' ');
  const cols = t.widths ? `<colgroup>${t.widths.map((w) => `<col style="width:${w}%">`).join('')}</colgroup>` : '';
  const th = t.head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = t.rows.map((r) => `<tr>${r.map((c) => `<td${cls(c) ? ` class="${cls(c)}"` : ''}>${esc(c.text)}</td>`).join('')}</tr>`).join('');
  return `<table${t.id ? ` id="${esc(t.id)}"` : ''}>${cols}<thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

function coverHtml(b: CoverBlock, confidential: string): string {
  const logo = b.logo ? `<img alt="" src="${esc(b.logo)}">` : '';
  const fields = b.fields.map((f) => `<dt>${esc(f.label)}</dt><dd id="${esc(f.id)}">${esc(f.value)}</dd>`).join('');
  const foot = [...b.footer, confidential].map((l) => `<div>${esc(l)}</div>`).join('');
  return `<section class="cover"><div class="issuer">${logo}<span>${esc(b.issuer)}</span></div><h1>${esc(b.title)}</h1><p class="subtitle">${esc(b.subtitle)}</p><dl>${fields}</dl><div class="cover-foot">${foot}</div></section>`;
}

function blockHtml(b: Block, doc: ReportDocument): string {
  switch (b.kind) {
    case 'cover':
      return coverHtml(b, doc.footer.confidential);
    case 'toc':
      return `<section class="toc"><h1>${esc(b.title)}</h1><ol>${b.entries.map((e) => `<li class="l${e.level}"><a href="#${esc(e.anchor)}">${esc(e.text)}</a></li>`).join('')}</ol></section>`;
    case 'heading': {
      const tag = `h${b.level}`;
      const attrs = `${b.anchor ? ` id="${esc(b.anchor)}"` : ''}${b.newPage ? ' class="new-page"' : ''}`;
      return `<${tag}${attrs}>${esc(b.text)}</${tag}>`;
    }
    case 'paragraph':
      return `<p${b.id ? ` id="${esc(b.id)}"` : ''}${b.tone || b.small ? ` class="${[b.tone ?? '', b.small ? 'small' : ''].filter(Boolean).join(' ')}"` : ''}>${esc(b.text)}</p>`;
    case 'list': {
      const tag = b.ordered ? 'ol' : 'ul';
      return `<${tag}>${b.items.map((i) => `<li>${esc(i)}</li>`).join('')}</${tag}>`;
    }
    case 'table':
      return tableHtml(b);
    case 'chart':
      // The SVG is made by svg.ts from numbers and escaped labels only.
      return `<div class="chart">${b.svg}</div>`;
    case 'score':
      return `<div class="score"><span>${esc(b.label)}</span><span class="value ${b.tone}">${b.score}</span><span class="verdict ${b.tone}">${esc(b.verdict)}</span></div>`;
    case 'signatures':
      return `<div class="signatures">${b.parties
        .map(
          (p) =>
            `<div class="party"><div class="role">${esc(p.role)}</div><div>${esc(b.signLabel)}</div><div class="line">${esc(p.name)}</div><div class="gap">${esc(b.dateLabel)}</div><div class="line">${esc(p.date)}</div>${p.stamp ? `<div class="gap">${esc(b.stampLabel)}</div><div class="stamp"></div>` : ''}${p.note ? `<p class="muted small">${esc(p.note)}</p>` : ''}</div>`,
        )
        .join('')}</div>`;
  }
}

export function renderDocumentHtml(doc: ReportDocument): string {
  const parts: string[] = [];
  parts.push(`<!DOCTYPE html><html lang="${doc.lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">`);
  // No request may leave the page: a CSP that allows only inline style and data: images.
  parts.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  parts.push(`<title>${esc(doc.title)}</title><style>${CSS}</style></head><body>`);
  for (const b of doc.blocks) parts.push(blockHtml(b, doc));
  parts.push('</body></html>');
  return parts.join('\n');
}

/** Chromium's running header and footer for the PDF: issuer logo and name, the report, the confidentiality line, page x of y. */
export function pdfHeaderFooter(doc: ReportDocument): { headerTemplate: string; footerTemplate: string } {
  const base = `font-family:${esc(REPORT_FONT)};font-size:8px;color:#555;width:100%;margin:0 14mm;display:flex;align-items:center;justify-content:space-between;gap:8px;`;
  const logo = doc.header.logo ? `<img src="${esc(doc.header.logo)}" style="height:7mm;max-width:30mm;margin-right:6px">` : '';
  const p = doc.pageLabel;
  return {
    headerTemplate: `<div style="${base}border-bottom:0.5px solid #aaa;padding-bottom:2px"><span style="display:flex;align-items:center">${logo}${esc(doc.header.left)}</span><span>${esc(doc.header.right)}</span></div>`,
    footerTemplate: `<div style="${base}border-top:0.5px solid #aaa;padding-top:2px"><span>${esc(doc.footer.confidential)}</span><span>${esc(p.before)}<span class="pageNumber"></span>${esc(p.middle)}<span class="totalPages"></span>${esc(p.after)}</span></div>`,
  };
}

export function renderReportHtml(r: InspectionReport, acceptance: { name: string; at: number } | null = null): string {
  return renderDocumentHtml(inspectionDocument(r, acceptance));
}
