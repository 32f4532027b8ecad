import { z } from 'zod';

/** Keyless SSL key servers. An Enterprise add-on, so off unless an environment turns it on. */
export const keylessSchema = z
  .object({
    /** @default false */
    enabled: z.boolean().default(false),
  })
  .strict();

export type KeylessConfig = z.infer<typeof keylessSchema>;
