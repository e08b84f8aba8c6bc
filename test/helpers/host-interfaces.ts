import { readFileSync } from 'node:fs';

/** This machine's network interfaces, as the kernel lists them. */
export function kernelInterfaces(): Set<string> {
  return new Set(readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2).map((l) => l.split(':')[0]!.trim()).filter(Boolean));
}

/** What test/checks/system/inventory.test.ts adds for a while: veth pairs (veth<pid>a1, pk<pid>a) and bridges (br-<id>, pb<pid>). */
const MADE_BY_OTHER_TESTS = /^(veth|pk\d|pb\d|br-)/;

/**
 * Run `during` and give the interfaces that were there before and after it: other test files add and remove
 * veth pairs on this machine meanwhile (two files run at once), so only these can be expected in what it read.
 * Those other files' interfaces are left out even when they were there throughout: snmpd keeps its interface
 * table for a few seconds, so one added just before `during` may be missing from its answer.
 */
export async function withStableInterfaces<T>(during: () => Promise<T>): Promise<{ result: T; stable: string[] }> {
  const before = kernelInterfaces();
  const result = await during();
  const after = kernelInterfaces();
  return { result, stable: [...before].filter((i) => after.has(i) && !MADE_BY_OTHER_TESTS.test(i)) };
}
