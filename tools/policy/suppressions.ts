import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { fieldPath } from '../../envs/load';
import { ConfigError } from '../../lib/errors';
import { fromRoot } from '../../lib/paths';
import type { Finding } from './engine';

/** The one file where policy findings may be accepted, each with a reason and an end date. */
export const SUPPRESSIONS_FILE = fromRoot('tools', 'policy', 'suppressions.yaml');

/** A suppression may last at most this long: accepted risks get looked at again. */
export const MAX_SUPPRESSION_DAYS = 366;

const DAY_MS = 24 * 60 * 60 * 1000;

const suppressionSchema = z
  .object({
    /** Rule id, e.g. `S3-TLS-ONLY`. */
    rule: z.string().regex(/^[A-Z0-9-]+$/, 'expected a rule id such as "S3-TLS-ONLY"'),
    /** `<stack>/<address>` with `*` wildcards, e.g. `local-origin/aws_s3_bucket.*`. */
    target: z.string().regex(/^[\w*-]+\/[\w.*:-]+$/, 'expected "<stack>/<resource address>" with * wildcards, e.g. "local-origin/aws_s3_bucket.*"'),
    /** Why the finding is acceptable; read by reviewers. */
    reason: z.string().trim().min(20, 'expected a reason of at least 20 characters saying why the finding is acceptable'),
    /** Last day the suppression applies (UTC). */
    expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date written YYYY-MM-DD, quoted'),
  })
  .strict();

/**
 * A Trivy finding accepted on the synthesized stacks: the source of `.trivyignore`
 * (tools/policy/trivyignore.ts writes it). Either `policy`, naming the policy
 * suppression above that accepts the same thing (its reason and expiry are used), or a
 * reason and an expiry of its own.
 */
const trivySchema = z
  .object({
    /** Trivy's check id, e.g. `AVD-AWS-0089`. */
    id: z.string().regex(/^AVD-[A-Z]+-\d{4}$/, 'expected a Trivy check id such as "AVD-AWS-0089"'),
    /** The rule of a policy suppression accepting the same risk, whose reason and expiry apply. */
    policy: z.string().regex(/^[A-Z0-9-]+$/, 'expected a rule id such as "S3-TLS-ONLY"').optional(),
    reason: z.string().trim().min(20, 'expected a reason of at least 20 characters saying why the finding is acceptable').optional(),
    expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date written YYYY-MM-DD, quoted').optional(),
  })
  .strict()
  .refine((t) => (t.policy === undefined) === (t.reason !== undefined && t.expires !== undefined) && !(t.policy && (t.reason || t.expires)), {
    message: 'expected either "policy" (a policy suppression\'s rule) or both "reason" and "expires"',
  });

const fileSchema = z.object({ suppressions: z.array(suppressionSchema).default([]), trivy: z.array(trivySchema).default([]) }).strict();

export type Suppression = z.infer<typeof suppressionSchema>;
export type TrivySuppression = z.infer<typeof trivySchema>;
export type SuppressionsFile = z.infer<typeof fileSchema>;

/** The suppressions file, parsed and checked against its schema (dates are checked by the callers). */
export function readSuppressionsFile(path: string = SUPPRESSIONS_FILE): SuppressionsFile {
  const file = display(path);
  if (!existsSync(path)) return { suppressions: [], trivy: [] };
  const doc = parseDocument(readFileSync(path, 'utf8'), { uniqueKeys: true });
  if (doc.errors.length > 0) throw ConfigError.single(file, '(file)', `YAML syntax error: ${doc.errors[0].message.split('\n')[0]}`);
  const result = fileSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => ({ file, field: fieldPath(i.path), message: i.message })));
  }
  return result.data;
}

/** Why `expires` is not acceptable on `today` (UTC midnight, ms), or undefined. */
export function expiryProblem(expires: string, today: number): string | undefined {
  const at = Date.parse(expires);
  if (Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== expires) return `"${expires}" is not a calendar date; expected YYYY-MM-DD`;
  if (at < today) return `expired on ${expires}: fix the finding or renew the suppression with a fresh reason`;
  if (at - today > MAX_SUPPRESSION_DAYS * DAY_MS) return `"${expires}" is more than ${MAX_SUPPRESSION_DAYS} days away; expected a date within a year`;
  return undefined;
}

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/**
 * Reads and validates the suppressions file. Unknown rule ids, malformed or impossible
 * dates, expired suppressions and ones longer than MAX_SUPPRESSION_DAYS are all errors.
 */
export function loadSuppressions(options: { file?: string; ruleIds: readonly string[]; today?: Date }): Suppression[] {
  const path = options.file ?? SUPPRESSIONS_FILE;
  const file = display(path);
  const data = readSuppressionsFile(path);
  const today = Date.parse((options.today ?? new Date()).toISOString().slice(0, 10));
  const problems: { file: string; field: string; message: string }[] = [];
  data.suppressions.forEach((s, i) => {
    const at = (f: string) => `suppressions[${i}].${f}`;
    if (!options.ruleIds.includes(s.rule)) problems.push({ file, field: at('rule'), message: `unknown rule "${s.rule}"; expected one of ${options.ruleIds.join(', ')}` });
    const expiry = expiryProblem(s.expires, today);
    if (expiry) problems.push({ file, field: at('expires'), message: expiry });
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return data.suppressions;
}

function matches(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

/**
 * Marks the findings each suppression covers; returns them with the suppressions that
 * matched nothing although their stack was checked (stale entries).
 */
export function applySuppressions(
  findings: readonly Finding[],
  suppressions: readonly Suppression[],
  checkedStacks: readonly string[],
): { findings: Finding[]; unused: Suppression[] } {
  const used = new Set<Suppression>();
  const out = findings.map((f) => {
    const s = suppressions.find((s) => s.rule === f.ruleId && matches(s.target, `${f.stack}/${f.address}`));
    if (!s) return f;
    used.add(s);
    return { ...f, suppressedBy: { reason: s.reason, expires: s.expires } };
  });
  const checked = (s: Suppression) => checkedStacks.some((name) => matches(s.target.split('/')[0], name));
  return { findings: out, unused: suppressions.filter((s) => !used.has(s) && checked(s)) };
}
