import {
  AlignmentType,
  BorderStyle,
  Bookmark,
  Document,
  Footer,
  Header,
  HeadingLevel,
  ImageRun,
  ImportedXmlComponent,
  InternalHyperlink,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TabStopType,
  TextRun,
  VerticalAlign,
  WidthType,
  type IBorderOptions,
  type IRunOptions,
  type ParagraphChild,
} from 'docx';
import type { Block, Cell, ChartBlock, CoverBlock, ReportDocument, SignatureParty, TableBlock, Tone } from './document.js';
import { DOCX_FONT } from './document.js';
import { logoFromDataUri, pngSize, rasterizeSvgs, svgSize, type PngPicture, type SvgPicture } from './docx-images.js';

/**
 * A report document (document.ts) as a Word file: the same blocks the HTML and PDF draw, on A4 with the PDF's
 * margins, a running header (logo, issuer, what the report is) and footer (confidentiality line, page x of y as
 * Word fields), the cover without them, Word heading styles (so the navigation pane and a TOC field work, and
 * the contents are a real TOC field with the entries filled in), tables with the same columns, widths and
 * coloured conclusions, charts as sharp PNGs drawn by the sandboxed Chromium the PDF uses, and the signature
 * blocks as a table with lines to sign on. Customers edit and stamp this file, so it holds text, not pictures
 * of text.
 */

export interface DocxOptions {
  /** Chromium for drawing the charts (and an SVG logo); default as for the PDF. */
  executablePath?: string;
}

// A4 and the PDF's @page margins (24 mm top, 14 mm sides, 20 mm bottom), in twips (1/1440 inch).
const MM = 1440 / 25.4;
const PAGE = { width: 11906, height: 16838 };
const MARGIN = { top: Math.round(24 * MM), bottom: Math.round(20 * MM), side: Math.round(14 * MM), header: Math.round(9 * MM), footer: Math.round(8 * MM) };
const TEXT_WIDTH = PAGE.width - 2 * MARGIN.side;
/** Word places pictures in pixels of 96 dpi. */
const PX_PER_MM = 96 / 25.4;
const TEXT_WIDTH_PX = Math.floor((TEXT_WIDTH / MM) * PX_PER_MM);

const INK = '222222';
const NAVY = '1F3B57';
const RULE = 'C8CED6';
const TONE_COLOR: Record<Tone, string> = { ok: '1E8449', warn: 'B9770E', crit: 'C0392B', unknown: '7F8C8D', high: 'C0392B', medium: 'B9770E', low: '555555', muted: '666666' };

// Sizes in half-points: body 10 pt, tables 9 pt (a 4-column checklist fits like the PDF's), small 8 pt.
const SIZE = { body: 20, table: 18, small: 16, running: 15 };

/** Word wants bookmark names of letters, digits and underscores, starting with a letter. */
const bookmarkName = (anchor: string) => `r_${anchor.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 40);

const line = (color = RULE, size = 4): IBorderOptions => ({ style: BorderStyle.SINGLE, size, color });
const NO_LINE: IBorderOptions = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
const noBorders = { top: NO_LINE, bottom: NO_LINE, left: NO_LINE, right: NO_LINE, insideHorizontal: NO_LINE, insideVertical: NO_LINE };

/** Text with line breaks as runs: a "\n" in a cell (detail under a finding's title) is a new line in Word too. */
function runs(text: string, style: IRunOptions = {}): TextRun[] {
  return text.split('\n').map((t, i) => new TextRun({ ...style, text: t, break: i > 0 ? 1 : undefined }));
}

interface Pictures {
  charts: Map<ChartBlock, PngPicture>;
  logos: Map<string, PngPicture>;
}

/** Every picture the document needs, drawn in one browser: charts, and the logo when it is an SVG. */
async function drawPictures(doc: ReportDocument, opts: DocxOptions): Promise<Pictures> {
  const charts = doc.blocks.filter((b): b is ChartBlock => b.kind === 'chart');
  const logoUris = [...new Set([doc.header.logo, ...doc.blocks.map((b) => (b.kind === 'cover' ? b.logo : null))].filter((u): u is string => !!u))];
  const logos = new Map<string, PngPicture>();
  const svgLogos: Array<{ uri: string; pic: SvgPicture }> = [];
  for (const uri of logoUris) {
    const logo = logoFromDataUri(uri);
    if (!logo) continue;
    if ('png' in logo) {
      logos.set(uri, { png: logo.png, ...pngSize(logo.png) });
    } else {
      // Drawn 80 px high (the cover shows it 20 mm, about 76 px), at the raster scale for print.
      const s = svgSize(logo.svg);
      svgLogos.push({ uri, pic: { svg: logo.svg, height: 80, width: Math.max(1, Math.round((80 * s.width) / s.height)) } });
    }
  }
  const drawn = await rasterizeSvgs([...charts.map((c) => ({ svg: c.svg, width: c.width, height: c.height })), ...svgLogos.map((l) => l.pic)], opts);
  const out: Pictures = { charts: new Map(), logos };
  charts.forEach((c, i) => out.charts.set(c, drawn[i]!));
  svgLogos.forEach((l, i) => logos.set(l.uri, drawn[charts.length + i]!));
  return out;
}

/** A picture fitted into a box (mm), keeping its aspect ratio; never drawn larger than it was made (`grow`: may). */
function image(pic: PngPicture, maxWidthMm: number, maxHeightMm: number, alt: string, grow = false): ImageRun {
  const k = Math.min((maxWidthMm * PX_PER_MM) / pic.width, (maxHeightMm * PX_PER_MM) / pic.height, grow ? Infinity : 1);
  return new ImageRun({
    type: 'png',
    data: pic.png,
    transformation: { width: Math.max(1, Math.round(pic.width * k)), height: Math.max(1, Math.round(pic.height * k)) },
    altText: { name: alt || 'image', title: alt, description: alt },
  });
}

function tableWidths(t: TableBlock): number[] {
  const n = t.head.length || t.rows[0]?.length || 1;
  const pct = t.widths && t.widths.length === n ? t.widths : Array.from({ length: n }, () => 100 / n);
  const sum = pct.reduce((a, b) => a + b, 0) || 1;
  return pct.map((w) => Math.floor((TEXT_WIDTH * w) / sum));
}

const CELL_MARGINS = { top: 40, bottom: 40, left: 80, right: 80 };

/**
 * Word has no "never wrap" for a cell of a fixed-width table, so a short status or a time that must stay on one
 * line ("正常", "2026-09-22 14:33") gets a smaller size when the column is narrow for it. The width is
 * estimated: a CJK character is one em, other characters about 0.68 em (bold Latin capitals are wide).
 */
/** A heading that is one Latin word ("Severity"): broken in two it reads as two words, so it is made to fit. */
const SINGLE_WORD = /^[A-Za-z0-9%()./-]+$/;

function oneLineSize(text: string, columnTwips: number): number {
  const ems = [...text].reduce((n, ch) => n + (/[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/.test(ch) ? 1 : 0.68), 0);
  const usable = columnTwips - CELL_MARGINS.left - CELL_MARGINS.right - 20;
  // twips / 20 = points; sizes are in half-points.
  const fit = Math.floor(((usable / 20) * 2) / Math.max(ems, 1));
  return Math.max(13, Math.min(SIZE.table, fit));
}

/** `keepWithNext`: the table stays on the page of what follows it (a short table above its chart). */
function tableDocx(t: TableBlock, keepWithNext = false): Table {
  const widths = tableWidths(t);
  const cellOf = (c: Cell, w: number, head = false) =>
    new TableCell({
      width: { size: w, type: WidthType.DXA },
      margins: CELL_MARGINS,
      shading: head ? { type: ShadingType.CLEAR, color: 'auto', fill: 'EEF2F6' } : undefined,
      children: [
        new Paragraph({
          alignment: c.numeric ? AlignmentType.RIGHT : AlignmentType.LEFT,
          keepLines: true,
          keepNext: keepWithNext,
          // Tighter than body text, as the PDF's table rows.
          spacing: { after: 0, line: 264, lineRule: LineRuleType.AUTO },
          children: runs(c.text, { size: c.nowrap || (head && SINGLE_WORD.test(c.text)) ? oneLineSize(c.text, w) : SIZE.table, bold: head || c.bold, color: c.tone ? TONE_COLOR[c.tone] : undefined }),
        }),
      ],
    });
  const rows = [
    ...(t.head.length ? [new TableRow({ tableHeader: true, cantSplit: true, children: t.head.map((h, i) => cellOf({ text: h }, widths[i]!, true)) })] : []),
    ...t.rows.map((r) => new TableRow({ cantSplit: true, children: r.map((c, i) => cellOf(c, widths[i] ?? widths[widths.length - 1]!)) })),
  ];
  return new Table({
    rows,
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders: { top: line(), bottom: line(), left: line(), right: line(), insideHorizontal: line(), insideVertical: line() },
  });
}

function coverDocx(b: CoverBlock, doc: ReportDocument, pics: Pictures): Array<Paragraph | Table> {
  const logo = b.logo ? pics.logos.get(b.logo) : undefined;
  const out: Array<Paragraph | Table> = [];
  out.push(
    new Paragraph({
      children: [...(logo ? [image(logo, 60, 20, b.issuer, true), new TextRun({ text: '   ' })] : []), new TextRun({ text: b.issuer, bold: true, size: 30, color: NAVY })],
    }),
  );
  out.push(new Paragraph({ spacing: { before: Math.round(40 * MM), after: 120 }, children: [new TextRun({ text: b.title, bold: true, size: 52, color: NAVY, characterSpacing: 80 })] }));
  out.push(new Paragraph({ spacing: { after: Math.round(14 * MM) }, children: [new TextRun({ text: b.subtitle, size: 28 })] }));
  const labelW = Math.round(32 * MM);
  out.push(
    new Table({
      width: { size: TEXT_WIDTH, type: WidthType.DXA },
      columnWidths: [labelW, TEXT_WIDTH - labelW],
      layout: TableLayoutType.FIXED,
      borders: noBorders,
      rows: b.fields.map(
        (f) =>
          new TableRow({
            children: [
              new TableCell({ width: { size: labelW, type: WidthType.DXA }, borders: noBorders, children: [new Paragraph({ spacing: { after: 100 }, children: runs(f.label, { size: 24, color: '555555' }) })] }),
              new TableCell({
                width: { size: TEXT_WIDTH - labelW, type: WidthType.DXA },
                borders: noBorders,
                children: [new Paragraph({ spacing: { after: 100 }, children: [new Bookmark({ id: bookmarkName(f.id), children: runs(f.value, { size: 24 }) })] })],
              }),
            ],
          }),
      ),
    }),
  );
  const foot = [...b.footer, doc.footer.confidential];
  foot.forEach((l, i) =>
    out.push(
      new Paragraph({
        spacing: { before: i === 0 ? Math.round(30 * MM) : 0 },
        border: i === 0 ? { top: { ...line(), space: 4 } } : undefined,
        children: runs(l, { size: 20, color: '444444' }),
      }),
    ),
  );
  return out;
}

function signaturesDocx(b: Extract<Block, { kind: 'signatures' }>): Table {
  // A narrow empty column between the parties, as the PDF's gap between the boxes.
  const gap = Math.round(6 * MM);
  const n = Math.max(1, b.parties.length);
  const partyW = Math.floor((TEXT_WIDTH - gap * (n - 1)) / n);
  const box = { top: line('9AA7B4', 6), bottom: line('9AA7B4', 6), left: line('9AA7B4', 6), right: line('9AA7B4', 6) };
  // Room above the line to sign by hand; less for the date.
  const signLine = (text: string, roomMm: number) =>
    new Paragraph({ spacing: { before: Math.round(roomMm * MM) }, border: { bottom: { ...line('555555', 6), space: 2 } }, children: [new TextRun({ text: text || '\u00a0', size: 22 })] });
  const label = (text: string, before = 0) => new Paragraph({ spacing: { before }, children: [new TextRun({ text, size: SIZE.body })] });
  const party = (p: SignatureParty) =>
    new TableCell({
      width: { size: partyW, type: WidthType.DXA },
      borders: box,
      margins: { top: 160, bottom: 160, left: 200, right: 200 },
      children: [
        new Paragraph({ spacing: { after: Math.round(6 * MM) }, children: [new TextRun({ text: p.role, bold: true, size: 24 })] }),
        label(b.signLabel),
        signLine(p.name, 7),
        label(b.dateLabel, Math.round(5 * MM)),
        signLine(p.date, 3),
        ...(p.stamp ? [label(b.stampLabel, Math.round(5 * MM)), new Paragraph({ spacing: { before: Math.round(22 * MM) }, children: [] })] : []),
        ...(p.note ? [new Paragraph({ spacing: { before: 160 }, children: runs(p.note, { size: SIZE.small, color: TONE_COLOR.muted }) })] : []),
      ],
    });
  const children: TableCell[] = [];
  const widths: number[] = [];
  b.parties.forEach((p, i) => {
    if (i > 0) {
      children.push(new TableCell({ width: { size: gap, type: WidthType.DXA }, borders: noBorders, children: [new Paragraph({ children: [] })] }));
      widths.push(gap);
    }
    children.push(party(p));
    widths.push(partyW);
  });
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders: noBorders,
    rows: [new TableRow({ cantSplit: true, height: { value: Math.round(46 * MM), rule: 'atLeast' }, children })],
  });
}

/**
 * Field characters each in a run of their own: LibreOffice (and so WPS-like readers) shows the instruction as
 * text when begin, instruction and separator share one run, as docx's TableOfContents writes them.
 */
const fieldRun = (xml: string) => ImportedXmlComponent.fromXmlString(`<w:r>${xml}</w:r>`) as unknown as ParagraphChild;
const FIELD = {
  begin: () => fieldRun('<w:fldChar w:fldCharType="begin"/>'),
  instruction: (text: string) => fieldRun(`<w:instrText xml:space="preserve"> ${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')} </w:instrText>`),
  separate: () => fieldRun('<w:fldChar w:fldCharType="separate"/>'),
  end: () => fieldRun('<w:fldChar w:fldCharType="end"/>'),
};

/**
 * The contents as Word's TOC field over heading levels 1-2, its result already filled with the entries (linked
 * to the headings' bookmarks), so it reads right when opened; "Update field" in Word adds the page numbers.
 */
function tocField(entries: Extract<Block, { kind: 'toc' }>['entries']): Paragraph[] {
  return entries.map(
    (e, i) =>
      new Paragraph({
        style: e.level === 1 ? 'TOC1' : 'TOC2',
        children: [
          ...(i === 0 ? [FIELD.begin(), FIELD.instruction('TOC \\o "1-2" \\h \\z \\u'), FIELD.separate()] : []),
          new InternalHyperlink({ anchor: bookmarkName(e.anchor), children: [new TextRun(e.text)] }),
          ...(i === entries.length - 1 ? [FIELD.end()] : []),
        ],
      }),
  );
}

const HEADINGS = { 1: HeadingLevel.HEADING_1, 2: HeadingLevel.HEADING_2, 3: HeadingLevel.HEADING_3 } as const;

function bodyDocx(doc: ReportDocument, pics: Pictures): Array<Paragraph | Table> {
  const out: Array<Paragraph | Table> = [];
  // The cover ends its page; the next block starts a new one.
  let breakNext = false;
  const takeBreak = () => {
    const b = breakNext;
    breakNext = false;
    return b;
  };
  /** Before a table or picture a page break needs a paragraph of its own. */
  const breakParagraph = () => {
    if (takeBreak()) out.push(new Paragraph({ pageBreakBefore: true, spacing: { after: 0 }, children: [] }));
  };
  doc.blocks.forEach((b, i) => {
    const next = doc.blocks[i + 1];
    switch (b.kind) {
      case 'cover':
        out.push(...coverDocx(b, doc, pics));
        breakNext = true;
        break;
      case 'toc': {
        // Styled as a heading but not one, so the contents do not list themselves.
        out.push(new Paragraph({ style: 'TOCHeading', pageBreakBefore: takeBreak(), children: [new TextRun(b.title)] }));
        out.push(...tocField(b.entries));
        break;
      }
      case 'heading': {
        const text = [new TextRun(b.text)];
        out.push(
          new Paragraph({
            heading: HEADINGS[b.level],
            pageBreakBefore: takeBreak() || b.newPage,
            keepNext: true,
            children: b.anchor ? [new Bookmark({ id: bookmarkName(b.anchor), children: text })] : text,
          }),
        );
        break;
      }
      case 'paragraph':
        out.push(
          new Paragraph({
            pageBreakBefore: takeBreak(),
            children: b.id
              ? [new Bookmark({ id: bookmarkName(b.id), children: runs(b.text, { size: b.small ? SIZE.small : undefined, color: b.tone ? TONE_COLOR[b.tone] : undefined }) })]
              : runs(b.text, { size: b.small ? SIZE.small : undefined, color: b.tone ? TONE_COLOR[b.tone] : undefined }),
          }),
        );
        break;
      case 'list':
        b.items.forEach((item, i) =>
          out.push(
            new Paragraph({
              pageBreakBefore: i === 0 && takeBreak(),
              indent: { left: 420, hanging: 420 },
              children: runs(`${b.ordered ? `${i + 1}.` : '•'}\t${item}`),
              tabStops: [{ type: TabStopType.LEFT, position: 420 }],
            }),
          ),
        );
        break;
      case 'table': {
        breakParagraph();
        // A chart right under a short table (the disks and their fill) goes to the next page with it, not alone.
        const withChart = next?.kind === 'chart' && b.rows.length <= 8;
        out.push(tableDocx(b, withChart));
        // Space after a table, as the PDF's margin below it (Word glues consecutive tables together otherwise).
        out.push(new Paragraph({ spacing: { after: 60 }, keepNext: withChart, children: [] }));
        break;
      }
      case 'chart': {
        const pic = pics.charts.get(b);
        if (!pic) break;
        out.push(new Paragraph({ pageBreakBefore: takeBreak(), keepLines: true, spacing: { before: 60, after: 200 }, children: [image(pic, TEXT_WIDTH_PX / PX_PER_MM, 120, b.title)] }));
        break;
      }
      case 'score':
        out.push(
          new Paragraph({
            pageBreakBefore: takeBreak(),
            spacing: { before: 120, after: 120 },
            children: [
              new TextRun({ text: b.label, size: 22 }),
              new TextRun({ text: `   ${b.score}`, size: 56, bold: true, color: TONE_COLOR[b.tone] }),
              new TextRun({ text: `   ${b.verdict}`, size: 32, bold: true, color: TONE_COLOR[b.tone] }),
            ],
          }),
        );
        break;
      case 'signatures':
        breakParagraph();
        out.push(signaturesDocx(b));
        break;
    }
  });
  return out;
}

function runningHeader(doc: ReportDocument, pics: Pictures): Header {
  const logo = doc.header.logo ? pics.logos.get(doc.header.logo) : undefined;
  const children: ParagraphChild[] = [
    ...(logo ? [image(logo, 30, 7, doc.header.left, true), new TextRun({ text: ' ' })] : []),
    new TextRun({ text: doc.header.left }),
    new TextRun({ text: `\t${doc.header.right}` }),
  ];
  return new Header({
    children: [
      new Paragraph({
        tabStops: [{ type: TabStopType.RIGHT, position: TEXT_WIDTH }],
        border: { bottom: { ...line('AAAAAA', 4), space: 2 } },
        run: { size: SIZE.running, color: '555555' },
        children,
      }),
    ],
  });
}

function runningFooter(doc: ReportDocument): Footer {
  const p = doc.pageLabel;
  const style = { size: SIZE.running, color: '555555' };
  return new Footer({
    children: [
      new Paragraph({
        tabStops: [{ type: TabStopType.RIGHT, position: TEXT_WIDTH }],
        border: { top: { ...line('AAAAAA', 4), space: 2 } },
        children: [
          new TextRun({ ...style, text: doc.footer.confidential }),
          // "第 3 页 / 共 12 页" with Word's PAGE and NUMPAGES fields, which Word and LibreOffice fill in.
          new TextRun({ ...style, children: ['\t', p.before, PageNumber.CURRENT, p.middle, PageNumber.TOTAL_PAGES, p.after] }),
        ],
      }),
    ],
  });
}

/** Render any report document (inspection or fault report) to a .docx file. */
export async function renderReportDocx(doc: ReportDocument, opts: DocxOptions = {}): Promise<Buffer> {
  const pics = await drawPictures(doc, opts);
  const zh = doc.lang === 'zh';
  // One CJK-capable face for Chinese (Word on a Chinese Windows has it; LibreOffice falls back to the machine's
  // CJK font); Latin text of an English report in a face every Word has.
  const font = { ascii: zh ? DOCX_FONT : 'Arial', hAnsi: zh ? DOCX_FONT : 'Arial', eastAsia: DOCX_FONT, cs: 'Arial' };
  const heading = (size: number, extra: { color?: string; underline?: boolean; before: number; after: number; outlineLevel: number }) => ({
    run: { font, size, bold: true, color: extra.color ?? NAVY },
    paragraph: {
      spacing: { before: extra.before, after: extra.after },
      keepNext: true,
      outlineLevel: extra.outlineLevel,
      border: extra.underline ? { bottom: { ...line(NAVY, 12), space: 2 } } : undefined,
    },
  });
  const hasCover = doc.blocks[0]?.kind === 'cover';
  const blank = () => new Paragraph({ children: [] });
  const document = new Document({
    title: doc.title,
    creator: 'Patrol',
    description: doc.title,
    styles: {
      default: {
        document: { run: { font, size: SIZE.body, color: INK, language: { value: zh ? 'zh-CN' : 'en-US', eastAsia: 'zh-CN' } }, paragraph: { spacing: { after: 80, line: 300, lineRule: LineRuleType.AUTO } } },
        heading1: heading(30, { underline: true, before: 360, after: 160, outlineLevel: 0 }),
        heading2: heading(26, { before: 280, after: 120, outlineLevel: 1 }),
        heading3: heading(22, { color: INK, before: 220, after: 80, outlineLevel: 2 }),
      },
      paragraphStyles: [
        // Word's own names for the contents' styles, so an updated TOC field keeps this look.
        { id: 'TOC1', name: 'toc 1', basedOn: 'Normal', next: 'Normal', run: { font, size: 22 }, paragraph: { spacing: { before: 60, after: 60 }, border: { bottom: { style: BorderStyle.DOTTED, size: 4, color: 'CCCCCC', space: 2 } } } },
        { id: 'TOC2', name: 'toc 2', basedOn: 'Normal', next: 'Normal', run: { font, size: SIZE.body }, paragraph: { indent: { left: 440 }, spacing: { before: 40, after: 40 }, border: { bottom: { style: BorderStyle.DOTTED, size: 4, color: 'CCCCCC', space: 2 } } } },
        { id: 'TOCHeading', name: 'TOC Heading', basedOn: 'Normal', next: 'Normal', run: { font, size: 30, bold: true, color: NAVY }, paragraph: { spacing: { before: 360, after: 200 } } },
      ],
    },
    sections: [
      {
        properties: {
          titlePage: hasCover,
          page: {
            size: PAGE,
            margin: { top: MARGIN.top, bottom: MARGIN.bottom, left: MARGIN.side, right: MARGIN.side, header: MARGIN.header, footer: MARGIN.footer },
          },
        },
        headers: { default: runningHeader(doc, pics), ...(hasCover ? { first: new Header({ children: [blank()] }) } : {}) },
        footers: { default: runningFooter(doc), ...(hasCover ? { first: new Footer({ children: [blank()] }) } : {}) },
        children: bodyDocx(doc, pics),
      },
    ],
  });
  return Packer.toBuffer(document);
}

/** The MIME type of a .docx file. */
export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
