import { z } from 'zod';
import { isHostname } from '../../lib/hostnames';

/** Building blocks shared by the section schemas. Messages say what is accepted. */

export const hostname = z
  .string()
  .refine(isHostname, 'expected a lowercase DNS name such as "api.example.com" (no wildcard, no trailing dot)');

export const hex32 = (what: string) =>
  z.string().regex(/^[0-9a-f]{32}$/, `expected the ${what}: 32 lowercase hexadecimal characters`);

export const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'expected an AWS region name such as "eu-west-1"');

export const awsAccountId = z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id, quoted as a string');

export const tagMap = z.record(
  z.string().regex(/^[\w .:/=+@-]{1,128}$/, 'expected a tag key of 1-128 letters, digits, spaces or _.:/=+-@'),
  z.string().max(256, 'expected a tag value of at most 256 characters'),
);

/** Path of a PEM file, relative to the environment file's folder. */
export const pemPath = z
  .string()
  .regex(/\.(pem|crt|cer)$/, 'expected the path of a PEM file ending in .pem, .crt or .cer');
