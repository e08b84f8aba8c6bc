import { z } from 'zod';

/** What an agent says about its host in `hello`; the inventory check adds more. */
export const HostFactsSchema = z.object({
  hostname: z.string().min(1).max(255),
  os: z.string().max(255).default(''),
  kernel: z.string().max(255).default(''),
  arch: z.string().max(64).default(''),
  cpuCores: z.number().int().nonnegative().default(0),
  memoryBytes: z.number().nonnegative().default(0),
});
export type HostFacts = z.infer<typeof HostFactsSchema>;
