// Deadlines shown as countdowns (overview, tickets): the server renders them once; here they tick every second.

function countdownText(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const min = Math.floor(Math.abs(ms) / 60000);
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  if (d > 0) return `${sign}${d}d ${h}h`;
  if (h > 0) return `${sign}${h}h ${String(m).padStart(2, '0')}m`;
  return `${sign}${m}m`;
}

function tick(): void {
  const now = Date.now();
  document.querySelectorAll('.countdown[data-due]').forEach((el) => {
    const left = Number(el.getAttribute('data-due')) - now;
    const b = el.querySelector('b');
    if (b) b.textContent = countdownText(left);
    el.classList.toggle('overdue', left < 0);
  });
}

export function startCountdowns(): void {
  tick();
  if (document.querySelector('.countdown')) setInterval(tick, 1000);
}
