/**
 * A report laid out as a list of blocks (cover, headings, tables, charts, signature blocks), in one language.
 * The inspection report and the fault-handling report are each built into this once; render-html.ts (and
 * from it the PDF) and render-docx.ts render the same blocks, so the HTML, PDF and Word versions have the
 * same headings, the same figures and the same words.
 */

/** How a cell or line is coloured: a status, a risk, or quiet. */
export type Tone = 'ok' | 'warn' | 'crit' | 'unknown' | 'high' | 'medium' | 'low' | 'muted';

export interface Cell {
  text: string;
  tone?: Tone;
  /** Never wrapped (short status words like 正常 / 关注 / 异常). */
  nowrap?: boolean;
  bold?: boolean;
  /** Right-aligned figures. */
  numeric?: boolean;
}

export interface TableBlock {
  kind: 'table';
  head: string[];
  rows: Cell[][];
  /** Relative column widths (percent of the page width; they should add up to 100). */
  widths?: number[];
  id?: string;
}

export interface ChartBlock {
  kind: 'chart';
  title: string;
  /** The SVG (self-contained); it says itself when there was nothing to draw. */
  svg: string;
  width: number;
  height: number;
}

export interface CoverBlock {
  kind: 'cover';
  /** data: URI of the issuer's logo, or null. */
  logo: string | null;
  issuer: string;
  title: string;
  subtitle: string;
  /** Label, value and a stable id (tests and the dashboard look them up). */
  fields: Array<{ label: string; value: string; id: string }>;
  /** Lines under the fields (address, hotline). */
  footer: string[];
}

export interface SignatureParty {
  role: string;
  /** Filled in when known (the engineer who signed off, the customer who accepted online); else a blank line. */
  name: string;
  date: string;
  note?: string;
  /** Leave room for the company stamp (盖章), as Chinese customers seal what they accept. */
  stamp?: boolean;
}

export type Block =
  | CoverBlock
  | { kind: 'toc'; title: string; entries: Array<{ level: 1 | 2; text: string; anchor: string }> }
  | { kind: 'heading'; level: 1 | 2 | 3; text: string; anchor?: string; newPage?: boolean }
  | { kind: 'paragraph'; text: string; tone?: Tone; small?: boolean; id?: string }
  | { kind: 'list'; items: string[]; ordered?: boolean }
  | TableBlock
  | ChartBlock
  | { kind: 'score'; label: string; score: number; tone: Tone; verdict: string }
  | { kind: 'signatures'; parties: SignatureParty[]; signLabel: string; dateLabel: string; stampLabel: string };

export interface ReportDocument {
  lang: 'zh' | 'en';
  /** The document title (HTML <title>, Word properties). */
  title: string;
  blocks: Block[];
  /** The running header of every page: the issuer's logo and name, and what the report is. */
  header: { logo: string | null; left: string; right: string };
  /** The running footer: the confidentiality line; page numbers are added by the renderer. */
  footer: { confidential: string };
  /** "第 {page} 页 / 共 {pages} 页" / "Page {page} of {pages}". */
  pageLabel: { before: string; middle: string; after: string };
}

export const cell = (text: string, extra: Omit<Cell, 'text'> = {}): Cell => ({ text, ...extra });

/** The CJK font stack the report uses everywhere (WenQuanYi is what the PDF machine has, see machine-notes). */
export const REPORT_FONT = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif';
/** The font a Word document names: Word picks it on Windows; LibreOffice falls back to what the machine has. */
export const DOCX_FONT = 'Microsoft YaHei';
