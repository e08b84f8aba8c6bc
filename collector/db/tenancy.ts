/**
 * Tenancy in SQL: every query of customer data takes the caller's visible customer ids (undefined means
 * "all customers", for admins and internal jobs). Use as
 *   `... WHERE ${CUSTOMER_FILTER('customer_id')}` with `.all(customerParam(ids))`.
 */
export function customerFilter(column: string): string {
  return `(@customers IS NULL OR ${column} IN (SELECT value FROM json_each(@customers)))`;
}

export function customerParam(customerIds: readonly string[] | undefined): { customers: string | null } {
  return { customers: customerIds ? JSON.stringify(customerIds) : null };
}
