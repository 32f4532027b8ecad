import { text } from '../../lib/markdown';

/**
 * The one value formatter of the project's reports: policy messages, review tables and
 * plan/drift tables all show a Terraform value the same way.
 */

/** How an absent value (an attribute not set, a leaf that does not exist) reads. */
export const ABSENT = 'unset';

/**
 * A value for people: `unset` for undefined, strings JSON-quoted so `""` and `"null"`
 * stay distinguishable from empty and null, everything else as JSON, cut to `maxChars`
 * with `...`.
 */
export function formatValue(value: unknown, maxChars = 120): string {
  if (value === undefined) return ABSENT;
  const s = JSON.stringify(value) ?? String(value);
  return s.length > maxChars ? `${s.slice(0, Math.max(0, maxChars - 3))}...` : s;
}

/**
 * Untrusted text for a Markdown table cell. Kept as a name for callers on other branches;
 * it is the one renderer's `text` (lib/markdown), which also escapes HTML, backticks and
 * mentions. New code calls `code`/`text`/`fence` from lib/markdown directly.
 */
export function markdownCell(value: string): string {
  return text(value);
}
