// The dashboard's one script (/static/app.js, bundled by ../static.ts): each page module starts when its
// page's elements are there. Served as a file because the CSP forbids inline script.
import { startAgentlessForm } from './agentless.js';
import { startChannelEditForm } from './channel-edit.js';
import { startCountdowns } from './countdowns.js';
import { startHostPage } from './host.js';
import { startHostChecksForm } from './host-checks.js';
import { pageListens, startLive } from './live.js';
import { startOverview } from './overview.js';
import { startReportsPage } from './reports.js';
import { startProviderLogo } from './provider-logo.js';
import { startReportAcceptance } from './report-acceptance.js';
import { startMovedAnchors } from './moved-anchors.js';
import { startTemplateForms } from './templates.js';
import { startTicketRows } from './tickets.js';

document.addEventListener('DOMContentLoaded', () => {
  startCountdowns();
  startHostPage();
  startReportsPage();
  startReportAcceptance();
  startProviderLogo();
  startTemplateForms();
  startHostChecksForm();
  startAgentlessForm();
  startChannelEditForm();
  startMovedAnchors();
  if (pageListens()) {
    startOverview();
    startTicketRows();
    startLive();
  }
  const nav = document.querySelector(`nav.top a[data-nav="${location.pathname.split('/')[1] || 'overview'}"]`);
  nav?.classList.add('current');
});
