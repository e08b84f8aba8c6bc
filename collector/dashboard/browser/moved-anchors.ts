// Old links to a part of a page that has its own page now (/settings#channels is /settings/channels): the
// server cannot see the #fragment, so the page names where each moved part went (data-moved-anchors) and the
// browser goes there, keeping the fragment.
import { dataJson } from './common.js';

export function startMovedAnchors(): void {
  const el = document.querySelector('[data-moved-anchors]');
  if (!el || !location.hash) return;
  const moved = dataJson<Record<string, string>>(el, 'data-moved-anchors', {});
  const part = decodeURIComponent(location.hash.slice(1));
  const to = Object.hasOwn(moved, part) ? moved[part] : undefined;
  if (typeof to === 'string' && to.startsWith('/')) location.replace(to + location.hash);
}
