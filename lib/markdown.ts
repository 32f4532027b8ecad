/**
 * The one renderer for untrusted text in Markdown. Every report the project writes for
 * GitHub (plan report, PR comment, review, drift issue, SARIF messages) quotes values it
 * did not write: resource addresses, attribute values, error texts from terraform and the
 * APIs, env-file reasons. GitHub renders what they contain: a backtick closes a code span,
 * then `@org/team` pings a team, `#12` links an issue, `</details>` closes the collapsed
 * block and `<img>` loads a picture; a ``` line ends a fenced error block early. These
 * functions make a value render as itself and nothing else:
 *
 * - `code`: an inline code span delimited by more backticks than the value contains;
 * - `text`: plain text with HTML escaped, Markdown punctuation backslash-escaped and
 *   mentions, issue references and bare links broken by a zero-width space;
 * - `fence`: a fenced block with a fence longer than any backtick run inside;
 * - `plain`: one line without control characters, for plain-text fields (SARIF `text`).
 *
 * All of them drop control and bidirectional-override characters (a reviewer must read
 * what the machine reads) and cut long values.
 */

/** C0/C1 controls (tab and newline handled by each renderer) and Unicode bidi overrides/isolates. */
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const ZWSP = '\u200b';

/** `value` cut to `max` characters with `...`. */
function cut(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, Math.max(0, max - 3))}...` : value;
}

/** One line: controls dropped, line breaks and tabs as spaces. */
export function plain(value: string, maxChars = 1000): string {
  return cut(String(value).replace(/\r\n?|\n|\t/g, ' ').replace(INVISIBLE, ''), maxChars);
}

export interface CodeOptions {
  /** Inside a table row: `|` is escaped as `\|` (GFM splits cells before reading code spans). @default true */
  readonly table?: boolean;
  /** @default 400 */
  readonly maxChars?: number;
}

/**
 * An inline code span showing `value` verbatim: delimited by one more backtick than the
 * longest run inside (CommonMark), padded with a space when the value starts or ends
 * with a backtick. Mentions, references and HTML do not render inside code.
 */
export function code(value: string, options: CodeOptions = {}): string {
  let v = plain(value, options.maxChars ?? 400);
  if (v === '') return '*(empty)*';
  if (options.table ?? true) v = v.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(v.match(/`+/g) ?? []).map((run) => run.length));
  const delimiter = '`'.repeat(longest + 1);
  const pad = v.startsWith('`') || v.endsWith('`') || (v.startsWith(' ') && v.endsWith(' ')) ? ' ' : '';
  return `${delimiter}${pad}${v}${pad}${delimiter}`;
}

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Plain text that renders as itself inside a paragraph or table cell: HTML escaped,
 * the characters that open inline Markdown escaped, `@name`, `#12`, `GH-12` and bare links neutralised with
 * a zero-width space, on one line.
 */
export function text(value: string, maxChars = 1000): string {
  return plain(value, maxChars)
    .replace(/[&<>]/g, (c) => HTML[c])
    // What starts inline syntax: code, emphasis, links and images, tables, strike-through,
    // math ($), escapes; `_` only at a word edge (GFM ignores it inside words).
    .replace(/[\\`*[\]|~$]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])|^#/gu, (c) => `\\${c}`)
    .replace(/@(?=[\w-])/g, `@${ZWSP}`)
    .replace(/#(?=\d)/g, `#${ZWSP}`)
    .replace(/\bGH-(?=\d)/gi, (m) => `${m.slice(0, 2)}${ZWSP}-`)
    .replace(/:\/\//g, `:${ZWSP}//`)
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}${ZWSP}.`);
}

/**
 * A value as `<code>` inside an HTML block (a `<summary>` line), where Markdown is not
 * read: HTML escaped, on one line. Mentions are not linked inside `<code>`.
 */
export function htmlCode(value: string, maxChars = 200): string {
  return `<code>${plain(value, maxChars).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</code>`;
}

/**
 * A fenced code block (as lines) showing `value` verbatim: the fence is one backtick
 * longer than the longest run of backticks inside (at least three), so no line of the
 * value can close it.
 */
export function fence(value: string, info = 'text', maxChars = 4000): string[] {
  const body = cut(String(value).replace(/\r\n?/g, '\n').replace(INVISIBLE, ''), maxChars);
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const marker = '`'.repeat(Math.max(3, longest + 1));
  return [`${marker}${info}`, ...body.split('\n'), marker];
}

/**
 * The fence still open at the end of `lines` (a report cut to size), or undefined: for
 * closing it with the same fence. Follows CommonMark: a fence closes only with a line of
 * at least as many backticks and nothing else.
 */
export function openFence(lines: readonly string[]): string | undefined {
  let open: string | undefined;
  for (const line of lines) {
    const run = /^(`{3,})(.*)$/.exec(line);
    if (!run) continue;
    if (open === undefined) open = run[1];
    else if (run[1].length >= open.length && run[2].trim() === '') open = undefined;
  }
  return open;
}

/**
 * The characters free-text env fields (reasons, descriptions) may hold: letters, digits,
 * spaces and plain punctuation. No Markdown or HTML syntax, no `@` or `#`, no line
 * breaks: these texts are quoted in reports and must not need a renderer to be safe.
 */
export const PLAIN_TEXT = /^[\p{L}\p{N} .,;:'"()/_+=%?!-]*$/u;
export const PLAIN_TEXT_DESCRIPTION = "letters, digits, spaces and . , ; : ' \" ( ) / _ + = % ? ! -";
