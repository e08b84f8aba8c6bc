import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '../../collector/db/database.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createHost } from '../../collector/db/hosts.js';
import { CARD_BUDGET, CARDS_PER_CUSTOMER, cardsPerCustomer, overviewData } from '../../collector/dashboard/pages/overview.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('the overview keeps its size when a service company has many customers', () => {
  test('up to 20 customers show 12 cards each; more share a budget of 240, at least 2 each', () => {
    expect(cardsPerCustomer(1)).toBe(CARDS_PER_CUSTOMER);
    expect(cardsPerCustomer(20)).toBe(12);
    expect(cardsPerCustomer(30)).toBe(8);
    expect(cardsPerCustomer(100)).toBe(2);
    expect(cardsPerCustomer(500)).toBe(2);
    for (let n = 21; n <= 120; n++) expect(n * cardsPerCustomer(n)).toBeLessThanOrEqual(CARD_BUDGET);
  });

  test('60 customers of 10 hosts: 4 cards each, the rest one link away, one customer filtered shows all of its hosts', async () => {
    const dir = tempDir('overview-budget');
    const db = openDatabase(join(dir.path, 'patrol.db'));
    const now = Date.now();
    for (let c = 0; c < 60; c++) {
      const id = `c${String(c).padStart(2, '0')}`;
      ensureCustomer(db, id, `Customer ${id}`, now);
      for (let h = 0; h < 10; h++) createHost(db, { customerId: id, name: `${id}-h${h}`, kind: 'agent', tags: [], now });
    }
    const all = await overviewData(db, undefined, {}, now);
    expect(all.customers).toHaveLength(60);
    expect(all.customers.every((c) => c.hosts.length === 4 && c.total === 10)).toBe(true);
    expect(all.hostCount).toBe(600);
    const one = await overviewData(db, undefined, { customerId: 'c07' }, now);
    expect(one.customers.map((c) => c.hosts.length)).toEqual([10]);
    db.close();
    dir.remove();
  });
});
