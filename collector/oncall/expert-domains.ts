/**
 * The L3 expert groups (三线支持: network, database, systems, security). A shift may be for one of them, and a
 * case of that domain goes to its experts first (rota-store.ts); tickets give each case its domain.
 */
export const DOMAINS = ['network', 'database', 'system', 'security'] as const;
export type Domain = (typeof DOMAINS)[number];
