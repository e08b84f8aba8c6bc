import type { Migration } from '../migrate.js';
import { migration as core } from './001-core.js';
import { migration as hostRetired } from './002-host-retired.js';
import { migration as tickets } from './010-tickets.js';
import { migration as contracts } from './011-contracts.js';
import { migration as oncall } from './012-oncall.js';
import { migration as maintenance } from './013-maintenance.js';
import { migration as notifications } from './014-notifications.js';
import { migration as inventory } from './040-inventory.js';
import { migration as checkAssignment } from './041-assignment.js';
import { migration as remoteHosts } from './042-remote-hosts.js';
import { migration as remoteResultQueue } from './043-remote-result-queue.js';
import { migration as reports } from './030-reports.js';
import { migration as reportWindows } from './031-report-windows.js';
import { migration as reportVersions } from './032-report-versions.js';
import { migration as providerIdentity } from './033-provider-identity.js';
import { migration as sessions } from './020-sessions.js';
import { migration as metricCatalog } from './021-metric-catalog.js';
import { migration as checkMessages } from './022-check-messages.js';
import { migration as ticketSummaryMessages } from './023-ticket-summary-messages.js';
import { migration as ticketOnsite } from './015-ticket-onsite.js';
import { migration as ticketSlaFlapping } from './016-ticket-sla-flapping.js';
import { migration as cases } from './017-cases.js';
import { migration as caseCustomer } from './018-case-customer.js';
import { migration as mailIntake } from './019-mail-intake.js';
import { migration as contractTerms } from './090-contract-terms.js';
import { migration as reportDelivery } from './091-report-delivery.js';
import { migration as collectorCa } from './075-collector-ca.js';
import { migration as agentRefusals } from './070-agent-refusals.js';
import { migration as metricFieldKinds } from './071-metric-field-kinds.js';
import { migration as sealChannelSecrets } from './060-seal-channel-secrets.js';
import { migration as remoteAccessSecrets } from './061-remote-access-secrets.js';
import { migration as auditLog } from './065-audit-log.js';
import { migration as remoteHostAllowances } from './080-remote-host-allowances.js';
import { migration as serviceReportMailings } from './092-service-report-mailings.js';

/**
 * Every migration, in order. Version ranges are reserved per area so parallel work never collides:
 * 1-9 core, 10-19 tickets and notifications, 20-29 dashboard and sessions, 30-39 reports,
 * 40-49 check assignment and inventory, 50-59 deployment.
 */
export const MIGRATIONS: readonly Migration[] = [core, hostRetired, tickets, contracts, oncall, maintenance, notifications, inventory, sessions, metricCatalog, checkMessages, ticketSummaryMessages, reports, checkAssignment, remoteHosts, ticketOnsite, remoteResultQueue, ticketSlaFlapping, cases, caseCustomer, mailIntake, contractTerms, reportDelivery, reportWindows, reportVersions, providerIdentity, agentRefusals, metricFieldKinds, auditLog, collectorCa, sealChannelSecrets, remoteAccessSecrets, remoteHostAllowances, serviceReportMailings];
