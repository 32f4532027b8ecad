import { z } from 'zod';
import { CA_PIN_PATTERN } from '../../lib/ca-pins';
import { isHostname } from '../../lib/hostnames';
import { PLAIN_TEXT, PLAIN_TEXT_DESCRIPTION } from '../../lib/markdown';
import { MAX_USER_TAGS, PROJECT_TAG_KEYS } from '../../lib/naming';

/** Building blocks shared by the section schemas. Messages say what is accepted. */

export const hostname = z
  .string()
  .refine(isHostname, 'expected a lowercase DNS name such as "api.example.com" (no wildcard, no trailing dot, not an IP address, xn-- labels valid punycode)');

export const hex32 = (what: string) =>
  z.string().regex(/^[0-9a-f]{32}$/, `expected the ${what}: 32 lowercase hexadecimal characters`);

export const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'expected an AWS region name such as "eu-west-1"');

export const awsAccountId = z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id, quoted as a string');

/**
 * User tags for every AWS resource. AWS reserves the `aws:` prefix (any case) and the
 * project writes its own keys (PROJECT_TAG_KEYS), so both are refused rather than
 * silently dropped or overridden; the count leaves room for the project's tags.
 */
export const tagMap = z
  .record(
    z
      .string()
      .regex(/^[\w .:/=+@-]{1,128}$/, 'expected a tag key of 1-128 letters, digits, spaces or _.:/=+-@')
      .refine((k) => !/^aws:/i.test(k), 'tag keys starting with "aws:" are reserved by AWS; choose another key')
      .refine((k) => !(PROJECT_TAG_KEYS as readonly string[]).some((p) => p.toLowerCase() === k.toLowerCase()), `is set by the project itself (${PROJECT_TAG_KEYS.join(', ')}); choose another key`),
    // AWS's tag charset: a line break or NUL would be refused by AWS at apply time, or end up in reports.
    z
      .string()
      .max(256, 'expected a tag value of at most 256 characters')
      .regex(/^[^\p{Cc}\u2028\u2029]*$/u, 'expected a tag value on one line, without control characters (a line break or NUL is refused by AWS at apply time and breaks reports)'),
  )
  .refine((t) => Object.keys(t).length <= MAX_USER_TAGS, `expected at most ${MAX_USER_TAGS} tags: AWS allows 50 per resource and the project adds up to ${PROJECT_TAG_KEYS.length} of its own`);

/**
 * A free-text field (a reason, a description): reports quote it, so it holds plain text
 * only (lib/markdown PLAIN_TEXT: no Markdown, HTML, mentions or line breaks) and is short.
 */
export const plainText = (what: string, min: number, max: number) =>
  z
    .string()
    .min(min, `expected ${what} of at least ${min} characters`)
    .max(max, `expected ${what} of at most ${max} characters`)
    .regex(PLAIN_TEXT, `expected ${what} of plain text only: ${PLAIN_TEXT_DESCRIPTION} (it is quoted in reports; no Markdown, HTML, @ or #, no line breaks)`);

/** Path of a PEM file, relative to the environment file's folder. */
export const pemPath = z
  .string()
  .regex(/\.(pem|crt|cer)$/, 'expected the path of a PEM file ending in .pem, .crt or .cer');

/**
 * The keys of the CAs a file-given bundle may hold (lib/ca-pins): `sha256:<hex>` of each
 * CA's canonical key. An unpinned CA's error prints the line to add.
 */
export const caPins = (bundleField: string) =>
  z
    .array(z.string().regex(CA_PIN_PATTERN, `expected a key pin: "sha256:" and 64 lowercase hexadecimal characters, as printed by the error for an unpinned CA of ${bundleField}`), {
      error: 'expected a list of key pins, one "- sha256:<hex>" line each',
    })
    // A refinement, not .max(): zod runs length checks on a string given instead of the list too.
    .refine((pins) => pins.length <= 64, 'expected at most 64 pinned CA keys')
    .refine((pins) => new Set(pins).size === pins.length, 'expected each pinned key once')
    .default([]);
