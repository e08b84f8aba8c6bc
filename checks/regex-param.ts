import { z } from 'zod';

/** A parameter holding a JavaScript regex: a bad one is refused when the assignment is checked, not at run time. */
export function regexParam(maxLength = 1000) {
  return z
    .string()
    .min(1)
    .max(maxLength)
    .refine((s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    }, 'not a valid regular expression');
}
