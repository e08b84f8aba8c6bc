// Deadlines shown as countdowns (overview, tickets): the server renders them once; here they tick every second,
// in the page's language with the server's own function (page-kit/units.ts), so a tick never changes the words.
import { formatCountdownMs } from '../../page-kit/units.js';

function tick(): void {
  const now = Date.now();
  const lang = document.documentElement.lang.startsWith('zh') ? 'zh' : 'en';
  document.querySelectorAll('.countdown[data-due]').forEach((el) => {
    const left = Number(el.getAttribute('data-due')) - now;
    const b = el.querySelector('b');
    if (b) b.textContent = formatCountdownMs(left, lang);
    el.classList.toggle('overdue', left < 0);
  });
}

export function startCountdowns(): void {
  tick();
  if (document.querySelector('.countdown')) setInterval(tick, 1000);
}
