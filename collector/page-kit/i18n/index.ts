import { en, type MessageKey, type Messages } from './en.js';
import { zh } from './zh.js';

export type Lang = 'zh' | 'en';
export type Translate = (key: MessageKey) => string;
export type { MessageKey };

const CATALOGS: Record<Lang, Messages> = { en, zh };

export const LANG_COOKIE = 'patrol_lang';

/**
 * The page language: the toggle's cookie when set, else zh when the browser's Accept-Language ranks any
 * zh variant above English, else en.
 */
export function pickLang(cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (cookie === 'zh' || cookie === 'en') return cookie;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p.trim())).find(Boolean);
      return { tag, q: q ? Number(q[1]) : 1, i };
    })
    .filter((x) => x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranked) {
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'en';
}

export function translator(lang: Lang): Translate {
  const messages = CATALOGS[lang];
  return (key) => messages[key];
}

/** Whether a key built at run time (e.g. from an id) names a message of the catalogs. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}
