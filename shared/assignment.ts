import { z } from 'zod';

/** One check assigned to a host: which check type, with which parameters and how often. */
export const CheckAssignmentSchema = z.object({
  name: z.string().min(1).max(200),
  checkId: z.string().min(1).max(200),
  params: z.record(z.string(), z.unknown()).default({}),
  intervalSec: z.number().int().min(1).max(86400).default(60),
  timeoutSec: z.number().min(0.1).max(3600).default(30),
});
export type CheckAssignment = z.infer<typeof CheckAssignmentSchema>;
export type CheckAssignmentInput = z.input<typeof CheckAssignmentSchema>;
