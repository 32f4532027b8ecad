import { z } from 'zod';

/** The AWS origin: truststore and API Gateway mTLS custom domains. */
export const originSchema = z.object({}).strict();

export type OriginConfig = z.infer<typeof originSchema>;
