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

const fileSchema = z.object({ suppressions: z.array(suppressionSchema).default([]) }).strict();

export type Suppression = z.infer<typeof suppressionSchema>;

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
  if (!existsSync(path)) return [];
  const doc = parseDocument(readFileSync(path, 'utf8'), { uniqueKeys: true });
  if (doc.errors.length > 0) throw ConfigError.single(file, '(file)', `YAML syntax error: ${doc.errors[0].message.split('\n')[0]}`);
  const result = fileSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => ({ file, field: fieldPath(i.path), message: i.message })));
  }
  const today = Date.parse((options.today ?? new Date()).toISOString().slice(0, 10));
  const problems: { file: string; field: string; message: string }[] = [];
  result.data.suppressions.forEach((s, i) => {
    const at = (f: string) => `suppressions[${i}].${f}`;
    if (!options.ruleIds.includes(s.rule)) problems.push({ file, field: at('rule'), message: `unknown rule "${s.rule}"; expected one of ${options.ruleIds.join(', ')}` });
    const expires = Date.parse(s.expires);
    if (Number.isNaN(expires) || new Date(expires).toISOString().slice(0, 10) !== s.expires) {
      problems.push({ file, field: at('expires'), message: `"${s.expires}" is not a calendar date; expected YYYY-MM-DD` });
    } else if (expires < today) {
      problems.push({ file, field: at('expires'), message: `expired on ${s.expires}: fix the finding or renew the suppression with a fresh reason` });
    } else if (expires - today > MAX_SUPPRESSION_DAYS * DAY_MS) {
      problems.push({ file, field: at('expires'), message: `"${s.expires}" is more than ${MAX_SUPPRESSION_DAYS} days away; expected a date within a year` });
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data.suppressions;
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
