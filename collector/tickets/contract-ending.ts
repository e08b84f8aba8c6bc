import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { createLogger } from '../../shared/logger.js';
import { getContract } from '../contracts/contract-store.js';
import { CONTRACT_ENDING_DAYS, contractState } from '../contracts/contract-terms.js';
import { queueCustomerMail } from './customer-mail.js';

const log = createLogger('tickets.contract-ending');

/** The account owner's address, else the admins' (someone must hear that a contract runs out). */
function ownerAddresses(db: Db, ownerId: string | null): string[] {
  const rows = (
    ownerId
      ? db.prepare('SELECT c.email FROM user_contacts c JOIN users u ON u.id = c.user_id WHERE u.id = ? AND u.disabled_at IS NULL AND c.email IS NOT NULL').all(ownerId)
      : db.prepare("SELECT c.email FROM user_contacts c JOIN users u ON u.id = c.user_id WHERE u.role = 'admin' AND u.disabled_at IS NULL AND c.email IS NOT NULL").all()
  ) as Array<{ email: string }>;
  return rows.map((r) => r.email);
}

/** 30 days before a contract ends, one mail to its account owner (per end date: a renewed contract is told again). */
export function remindContractEnds(db: Db, now: number): void {
  const rows = db.prepare('SELECT customer_id AS customerId FROM contracts WHERE ends_on IS NOT NULL').all() as Array<{ customerId: string }>;
  for (const { customerId } of rows) {
    const c = getContract(db, customerId);
    const s = contractState(c, now);
    if (!s.ending || !c.endsOn) continue;
    if (db.prepare('SELECT 1 FROM contract_end_notices WHERE customer_id = ? AND ends_on = ?').get(customerId, c.endsOn)) continue;
    const name = getCustomer(db, customerId)?.name ?? customerId;
    const to = ownerAddresses(db, c.accountOwnerId);
    queueCustomerMail(
      db,
      {
        customerId,
        ticketId: null,
        kind: 'contract-ending',
        recipients: to,
        subject: `[Patrol] ${name}: 服务合同将于 ${c.endsOn} 到期 / service contract ends on ${c.endsOn}`,
        body:
          `${name} 的服务合同将于 ${c.endsOn} 到期（剩 ${s.daysLeft} 天）。到期后新工单不再计 SLA 时限。请及时联系客户续约。\n\n` +
          `The service contract of ${name} ends on ${c.endsOn} (${s.daysLeft} days left). After that, new cases run no SLA clocks. Please talk to the customer about renewing it.\n`,
      },
      now,
    );
    db.prepare('INSERT INTO contract_end_notices (customer_id, ends_on, sent_at) VALUES (?, ?, ?)').run(customerId, c.endsOn, now);
    log.info({ customerId, endsOn: c.endsOn, recipients: to.length }, 'contract ending: account owner told');
  }
}
