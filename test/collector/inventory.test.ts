import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CheckAssignmentInput } from '../../shared/assignment.js';
import { CheckAssignmentSchema } from '../../shared/assignment.js';
import type { CheckResult } from '../../shared/check-result.js';
import { InventoryFactsSchema, type InventoryFacts } from '../../shared/inventory.js';
import { runAssignment } from '../../checks/run.js';
import { openDatabase, type Db } from '../../collector/db/database.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createHost } from '../../collector/db/hosts.js';
import { createInventoryTracker, getInventory, listInventoryChanges } from '../../collector/inventory/inventory-tracker.js';
import { testClock, testRuntime } from '../helpers/check-context.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 9, 1, 2, 0, 0);
let db: Db;
let acme: { hostId: string; customerId: string };
let globex: { hostId: string; customerId: string };
let realResult: CheckResult;

/** The result this machine's real inventory check gives, as the agent would send it. */
async function runInventoryHere(): Promise<CheckResult> {
  const a: CheckAssignmentInput = { name: 'inventory', checkId: 'system.inventory', params: { packages: ['openssl', 'bash'] }, timeoutSec: 30 };
  return runAssignment(CheckAssignmentSchema.parse(a), testRuntime({ now: () => T0 }));
}

function resultAt(startedAt: number, edit: (f: InventoryFacts) => InventoryFacts = (f) => f): CheckResult {
  const facts = InventoryFactsSchema.parse(JSON.parse(realResult.details!));
  return { ...realResult, startedAt, details: JSON.stringify(edit(facts)) };
}

beforeAll(async () => {
  db = openDatabase(':memory:');
  ensureCustomer(db, 'acme', 'ACME', T0);
  ensureCustomer(db, 'globex', 'Globex', T0);
  acme = { hostId: createHost(db, { customerId: 'acme', name: 'erp1', kind: 'agent', now: T0 }).id, customerId: 'acme' };
  globex = { hostId: createHost(db, { customerId: 'globex', name: 'web1', kind: 'agent', now: T0 }).id, customerId: 'globex' };
  realResult = await runInventoryHere();
  expect(realResult.status).toBe('OK');
});
afterAll(() => db.close());

describe('inventory tracker', () => {
  test('first inventory is stored as the baseline, without change rows', async () => {
    const clock = testClock(T0 + 1000);
    const tracker = createInventoryTracker(db, clock.now);
    await tracker.onResults(acme, [realResult], clock.now());
    const inv = getInventory(db, acme.hostId);
    expect(inv?.collectedAt).toBe(T0);
    expect(inv?.facts).toEqual(JSON.parse(realResult.details!));
    expect(listInventoryChanges(db, { hostId: acme.hostId })).toEqual([]);
  });

  test('a kernel upgrade and a package update a week later are dated changes, one row per fact', async () => {
    const tracker = createInventoryTracker(db, () => T0 + 7 * DAY);
    const upgraded = resultAt(T0 + 7 * DAY, (f) => ({
      ...f,
      kernel: '6.1.0-99-amd64',
      packages: { ...f.packages, openssl: '3.0.99-1' },
    }));
    await tracker.onResults(acme, [upgraded], T0 + 7 * DAY);
    const before = InventoryFactsSchema.parse(JSON.parse(realResult.details!));
    expect(listInventoryChanges(db, { hostId: acme.hostId })).toEqual([
      { hostId: acme.hostId, customerId: 'acme', field: 'kernel', oldValue: before.kernel, newValue: '6.1.0-99-amd64', changedAt: T0 + 7 * DAY },
      { hostId: acme.hostId, customerId: 'acme', field: 'package.openssl', oldValue: before.packages.openssl, newValue: '3.0.99-1', changedAt: T0 + 7 * DAY },
    ]);
    expect(getInventory(db, acme.hostId)?.facts.kernel).toBe('6.1.0-99-amd64');
  });

  test('a re-sent or late older result changes nothing', async () => {
    const tracker = createInventoryTracker(db, () => T0 + 8 * DAY);
    await tracker.onResults(acme, [realResult, resultAt(T0 + 7 * DAY, (f) => ({ ...f, kernel: 'late' }))], T0 + 8 * DAY);
    expect(listInventoryChanges(db, { hostId: acme.hostId })).toHaveLength(2);
    expect(getInventory(db, acme.hostId)?.facts.kernel).toBe('6.1.0-99-amd64');
  });

  test('a disk added and a NIC removed; an unchanged daily run adds nothing', async () => {
    const tracker = createInventoryTracker(db, () => T0 + 30 * DAY);
    const edit = (f: InventoryFacts): InventoryFacts => ({
      ...f,
      kernel: '6.1.0-99-amd64',
      packages: { ...f.packages, openssl: '3.0.99-1' },
      disks: [...f.disks, { name: 'vdz', sizeBytes: 1e12, model: 'QEMU HARDDISK', rotational: false }],
      nics: [],
    });
    await tracker.onResults(acme, [resultAt(T0 + 30 * DAY, edit)], T0 + 30 * DAY);
    await tracker.onResults(acme, [resultAt(T0 + 31 * DAY, edit)], T0 + 31 * DAY);
    const changes = listInventoryChanges(db, { hostId: acme.hostId, from: T0 + 30 * DAY });
    expect(changes.filter((c) => c.field.startsWith('disk.vdz'))).toEqual([
      expect.objectContaining({ field: 'disk.vdz.model', oldValue: null, newValue: 'QEMU HARDDISK' }),
      expect.objectContaining({ field: 'disk.vdz.sizeBytes', oldValue: null, newValue: '1000000000000' }),
    ]);
    const nicFacts = InventoryFactsSchema.parse(JSON.parse(realResult.details!)).nics;
    if (nicFacts.length) expect(changes.some((c) => c.field.startsWith('nic.') && c.newValue === null)).toBe(true);
    expect(changes.every((c) => c.changedAt === T0 + 30 * DAY)).toBe(true);
  });

  test('date window and tenancy: a customer sees only its own hosts', async () => {
    const tracker = createInventoryTracker(db, () => T0);
    await tracker.onResults(globex, [resultAt(T0)], T0);
    await tracker.onResults(globex, [resultAt(T0 + 2 * DAY, (f) => ({ ...f, hostname: 'web1-renamed' }))], T0 + 2 * DAY);
    expect(listInventoryChanges(db, { from: T0 + 7 * DAY, to: T0 + 8 * DAY }).map((c) => c.field)).toEqual(['kernel', 'package.openssl']);
    expect(listInventoryChanges(db, { customerIds: ['globex'] }).map((c) => [c.field, c.newValue])).toEqual([['hostname', 'web1-renamed']]);
    expect(listInventoryChanges(db, { customerIds: [] })).toEqual([]);
    expect(getInventory(db, acme.hostId, ['globex'])).toBeUndefined();
    expect(getInventory(db, acme.hostId, ['acme'])).toBeDefined();
  });

  test('other checks and bad inventory details are ignored, never thrown', async () => {
    const tracker = createInventoryTracker(db, () => T0 + 40 * DAY);
    const countBefore = listInventoryChanges(db).length;
    const other: CheckResult = { ...realResult, checkId: 'system.disk', details: '{"kernel":"x"}', startedAt: T0 + 40 * DAY };
    const notJson: CheckResult = { ...realResult, details: 'not json', startedAt: T0 + 40 * DAY };
    const wrongShape: CheckResult = { ...realResult, details: '{"hostname":1}', startedAt: T0 + 41 * DAY };
    await tracker.onResults(acme, [other, notJson, wrongShape], T0 + 41 * DAY);
    expect(listInventoryChanges(db).length).toBe(countBefore);
    expect(getInventory(db, acme.hostId)?.collectedAt).toBe(T0 + 31 * DAY);
  });
});
