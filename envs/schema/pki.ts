import { z } from 'zod';

/** How the environment's certificate authority comes to be. */
export const pkiSchema = z
  .object({
    /** `generated`: a root and intermediate CA made by the Terraform tls provider. */
    mode: z.literal('generated').default('generated'),
  })
  .strict();

export type PkiConfig = z.infer<typeof pkiSchema>;
