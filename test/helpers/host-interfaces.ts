import { readFileSync } from 'node:fs';

/** This machine's network interfaces, as the kernel lists them. */
export function kernelInterfaces(): Set<string> {
  return new Set(readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2).map((l) => l.split(':')[0]!.trim()).filter(Boolean));
}

/**
 * Run `during` and give the interfaces that were there before and after it: other test files add and remove
 * veth pairs on this machine meanwhile (two files run at once), so only these can be expected in what it read.
 */
export async function withStableInterfaces<T>(during: () => Promise<T>): Promise<{ result: T; stable: string[] }> {
  const before = kernelInterfaces();
  const result = await during();
  const after = kernelInterfaces();
  return { result, stable: [...before].filter((i) => after.has(i)) };
}
