/**
 * The provider's logo: a PNG or an SVG, checked before it is stored, because it goes into every report's
 * cover and page header (HTML, PDF and Word) that customers receive. An SVG may carry script, event handlers
 * or references to other files; none of that is allowed, only drawing.
 */

export type LogoMime = 'image/png' | 'image/svg+xml';

/** 192 KiB: a logo is a few KiB; the limit keeps it well inside the dashboard's 256 KiB form limit. */
export const MAX_LOGO_BYTES = 192 * 1024;
/** Pixels per side a PNG may have (a logo printed 4 cm wide needs about 500). */
export const MAX_LOGO_PX = 4000;

export interface Logo {
  mime: LogoMime;
  data: Buffer;
  /** Pixel size of a PNG (null for an SVG, which scales). */
  width: number | null;
  height: number | null;
}

export type LogoCheck = { ok: true; logo: Logo } | { ok: false; en: string; zh: string };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const refuse = (en: string, zh: string): LogoCheck => ({ ok: false, en, zh });

function checkPng(data: Buffer): LogoCheck {
  // Signature, then the IHDR chunk (length 13) with width and height; IEND closes the file.
  if (data.length < 8 + 25 + 12 || data.readUInt32BE(8) !== 13 || data.toString('latin1', 12, 16) !== 'IHDR') return refuse('not a valid PNG file (no IHDR header)', '不是有效的 PNG 文件（缺少 IHDR 头）');
  if (data.toString('latin1', data.length - 8, data.length - 4) !== 'IEND') return refuse('not a complete PNG file (no IEND at the end)', 'PNG 文件不完整（结尾缺少 IEND）');
  const width = data.readUInt32BE(16);
  const height = data.readUInt32BE(20);
  if (width < 1 || height < 1 || width > MAX_LOGO_PX || height > MAX_LOGO_PX) {
    return refuse(`PNG is ${width}x${height} pixels; at most ${MAX_LOGO_PX} per side`, `PNG 尺寸 ${width}x${height} 像素，每边最多 ${MAX_LOGO_PX}`);
  }
  return { ok: true, logo: { mime: 'image/png', data, width, height } };
}

/** What an SVG logo may not contain: anything that runs, or that fetches or embeds another resource. */
const SVG_FORBIDDEN: Array<[RegExp, string]> = [
  [/<script\b/i, '<script>'],
  [/<foreignObject\b/i, '<foreignObject>'],
  [/<!DOCTYPE|<!ENTITY/i, 'a DOCTYPE or entity'],
  [/\son[a-z]+\s*=/i, 'an event handler attribute (on...)'],
  // The lookaheads take the optional quote with them, so a quote cannot be backtracked away to hide the '#'.
  [/\b(?:xlink:)?href\s*=\s*(?!["']?\s*#)/i, 'a link to another resource (href not starting with #)'],
  [/url\(\s*(?!["']?\s*#)/i, 'a url() to another resource'],
  [/@import\b/i, '@import'],
  [/<(?:iframe|embed|object|image|img|use)\b[^>]*\bsrc\s*=/i, 'an embedded resource'],
];

function checkSvg(data: Buffer): LogoCheck {
  const text = data.toString('utf8');
  if (Buffer.from(text, 'utf8').length !== data.length || text.includes('\uFFFD')) return refuse('SVG must be UTF-8 text', 'SVG 必须是 UTF-8 文本');
  if (!/^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(text) || !/<\/svg>\s*$/i.test(text)) return refuse('not an SVG document (it must start with <svg> and end with </svg>)', '不是 SVG 文档（须以 <svg> 开头、</svg> 结尾）');
  for (const [re, what] of SVG_FORBIDDEN) {
    if (re.test(text)) return refuse(`SVG logo may not contain ${what}: only drawing is allowed`, `SVG 标志不能包含 ${what}，只允许图形`);
  }
  return { ok: true, logo: { mime: 'image/svg+xml', data, width: null, height: null } };
}

/** Check an uploaded logo; the type is taken from the content (PNG signature, else SVG text), never from the name. */
export function checkLogo(data: Buffer): LogoCheck {
  if (data.length === 0) return refuse('the logo file is empty', '标志文件为空');
  if (data.length > MAX_LOGO_BYTES) return refuse(`the logo is ${Math.ceil(data.length / 1024)} KiB; at most ${MAX_LOGO_BYTES / 1024} KiB`, `标志文件 ${Math.ceil(data.length / 1024)} KiB，最大 ${MAX_LOGO_BYTES / 1024} KiB`);
  if (data.subarray(0, 8).equals(PNG_SIGNATURE)) return checkPng(data);
  if (data[0] === 0xff && data[1] === 0xd8) return refuse('JPEG logos are not accepted: upload a PNG or SVG', '不接受 JPEG 标志，请上传 PNG 或 SVG');
  return checkSvg(data);
}

export const logoDataUri = (l: Pick<Logo, 'mime' | 'data'>) => `data:${l.mime};base64,${l.data.toString('base64')}`;
