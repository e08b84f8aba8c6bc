// Ticket rows (overview, tickets list) and the ticket page follow live ticket events: a row's state badge is
// relabelled; a change to the open ticket, or a new ticket for a list, shows the "reload" notice.
import { dataJson } from './common.js';
import { onTicket, showLiveNotice } from './live.js';

export function startTicketRows(): void {
  // Ticket state names in the page language (layout.ts), for a state a live event brings.
  const labels = dataJson<Record<string, string>>(document.body, 'data-state-labels', {});
  const ticketPage = document.getElementById('ticket-state');
  const grid = document.getElementById('host-grid');
  onTicket((e) => {
    const rows = document.querySelectorAll('tr[data-ticket]');
    let shown = false;
    rows.forEach((tr) => {
      if (tr.getAttribute('data-ticket') !== e.number) return;
      shown = true;
      const badge = tr.querySelector('.badge');
      if (!badge) return;
      badge.className = `badge state-${e.state}`;
      badge.textContent = labels[e.state] || e.state;
      tr.setAttribute('data-live-state', e.state);
    });
    if (ticketPage && ticketPage.getAttribute('data-number') === e.number && ticketPage.getAttribute('data-state') !== e.state) showLiveNotice();
    // A ticket that is new to this list: say so (a reload shows it in its place).
    if (!shown && !ticketPage && (grid || rows.length) && e.kind === 'opened') showLiveNotice();
  });
}
