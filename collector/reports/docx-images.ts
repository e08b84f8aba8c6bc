import { withSandboxedChromium } from './sandboxed-chromium.js';
import { escapeXml } from './svg.js';

/**
 * SVG (charts, an SVG logo) to PNG for the Word file, in the same sandboxed Chromium the PDF uses (so the
 * charts look like the PDF's, with the same CJK font): one browser for every picture of a document, not one
 * launch per chart. Word and LibreOffice both read PNG; docx's own SVG embedding still needs a PNG fallback
 * for Word before 2016, so drawing once here is simpler and the same everywhere.
 */

export interface SvgPicture {
  /** A self-contained SVG document (no external references: the page may load nothing). */
  svg: string;
  /** The size it is meant to be shown at, in CSS pixels. */
  width: number;
  height: number;
}

export interface PngPicture {
  png: Buffer;
  /** Its size in CSS pixels (the PNG holds `scale` times as many, so it stays sharp when printed). */
  width: number;
  height: number;
}

/** 3x: a 640 px chart is 1920 px wide, about 270 dpi across the 18 cm of an A4 page's text. */
export const RASTER_SCALE = 3;

/** Draw each SVG at its size times `scale` on a white ground (a transparent chart prints grey on some printers). */
export async function rasterizeSvgs(pictures: readonly SvgPicture[], opts: { executablePath?: string; scale?: number } = {}): Promise<PngPicture[]> {
  if (!pictures.length) return [];
  const scale = opts.scale ?? RASTER_SCALE;
  return withSandboxedChromium(async (context) => {
    const page = await context.newPage();
    // The SVGs are self-contained; nothing may be fetched while drawing them.
    await page.route('**/*', (route) => route.abort());
    const out: PngPicture[] = [];
    for (const p of pictures) {
      const w = Math.max(1, Math.round(p.width * scale));
      const h = Math.max(1, Math.round(p.height * scale));
      await page.setViewportSize({ width: w, height: h });
      // As an <img> from a data: URI, so the SVG scales as a picture (whatever its own width/height say) and
      // cannot touch the page.
      const src = `data:image/svg+xml;base64,${Buffer.from(asImage(p.svg), 'utf8').toString('base64')}`;
      await page.setContent(
        `<!DOCTYPE html><html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0;background:#fff;overflow:hidden}img{display:block;width:${w}px;height:${h}px}</style></head><body><img alt="" src="${escapeXml(src)}"></body></html>`,
        { waitUntil: 'load' },
      );
      const png = await page.screenshot({ type: 'png', clip: { x: 0, y: 0, width: w, height: h } });
      out.push({ png, width: p.width, height: p.height });
    }
    return out;
  }, opts);
}

/**
 * An SVG made to be inlined in HTML (the charts) as a stand-alone image: an <img> draws nothing without the SVG
 * namespace, and scales the drawing to the box only with a viewBox.
 */
export function asImage(svg: string): string {
  return svg.replace(/<svg\b[^>]*>/i, (open) => {
    let tag = open;
    if (!/\sxmlns\s*=/.test(tag)) tag = tag.replace(/^<svg/i, '<svg xmlns="http://www.w3.org/2000/svg"');
    if (!/\sviewBox\s*=/i.test(tag)) {
      const s = svgSize(svg);
      tag = tag.replace(/^<svg/i, `<svg viewBox="0 0 ${s.width} ${s.height}"`);
    }
    return tag;
  });
}

/** Width and height of a PNG from its IHDR chunk (logo.ts checked it is there). */
export function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The logo's data: URI as a picture: a PNG as it is, an SVG to be drawn (null when it is neither). */
export function logoFromDataUri(uri: string | null): { png: Buffer } | { svg: string } | null {
  if (!uri) return null;
  const m = /^data:(image\/png|image\/svg\+xml);base64,([A-Za-z0-9+/=]+)$/.exec(uri);
  if (!m) return null;
  const data = Buffer.from(m[2]!, 'base64');
  return m[1] === 'image/png' ? { png: data } : { svg: data.toString('utf8') };
}

/** The size an SVG says it has (width/height, else its viewBox), for drawing it at its own aspect ratio. */
export function svgSize(svg: string): { width: number; height: number } {
  const open = /<svg\b[^>]*>/i.exec(svg)?.[0] ?? '';
  const attr = (name: string) => {
    const v = new RegExp(`\\s${name}\\s*=\\s*["']\\s*([0-9.]+)(px)?\\s*["']`, 'i').exec(open);
    return v ? Number(v[1]) : NaN;
  };
  let width = attr('width');
  let height = attr('height');
  const vb = /\sviewBox\s*=\s*["']\s*[-0-9.]+[\s,]+[-0-9.]+[\s,]+([0-9.]+)[\s,]+([0-9.]+)\s*["']/i.exec(open);
  if (!(width > 0 && height > 0) && vb) {
    const [vw, vh] = [Number(vb[1]), Number(vb[2])];
    if (width > 0) height = (width * vh) / vw;
    else if (height > 0) width = (height * vw) / vh;
    else [width, height] = [vw, vh];
  }
  return width > 0 && height > 0 ? { width, height } : { width: 200, height: 200 };
}
