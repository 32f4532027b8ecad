// What cdktf's synthesizer writes each stack with, json-stable-stringify(value, { space: 2 })
// (json-stable-stringify 1.3.0: keys sorted, two-space indent), byte for byte, in about
// 60% of its time in a synth's single cold run: a sorted plain copy of the value is
// written by the engine's JSON.stringify. Where the two formats differ, the copy says so and the original runs:
//   - an empty object or array is written `{` newline indent `}` by the original and `{}`
//     by JSON.stringify: the copy holds a marker string in its place (a random nonce),
//     replaced afterwards, with the indent of its line; a marker met in the value itself
//     (the count differs) means the original;
//   - keys that may be array indices (starting with a digit) are enumerated first, in
//     numeric order, by the engine; a key "toJSON" would be called by JSON.stringify and
//     "__proto__" would set the copy's prototype: any of them means the original.
// toJSON is applied once, without a key, as the original does; undefined, functions and
// symbols are left out of objects and written as null in arrays by both. Patch
// quick-stable-stringify of scripts/app/cdktf-patches.mjs; test/unit/quick-stable-stringify.test.ts.
'use strict';

class Fallback extends Error {}

/** Whether the engine might enumerate `key` out of insertion order (an array index starts with a digit). */
const mayBeIndex = (key) => {
  const c = key.charCodeAt(0);
  return c >= 48 && c <= 57;
};

/** The quick writer in front of `stableStringify` (json-stable-stringify as cdktf resolves it), which it falls back on. */
module.exports = (stableStringify) => function quickStableStringify(value, opts) {
  if (opts === null || typeof opts !== 'object' || Object.keys(opts).join() !== 'space' || opts.space !== 2) return stableStringify(value, opts);
  const nonce = Math.random().toString(36).slice(2);
  const marker = { '{': `\u0000${nonce}{\u0000`, '[': `\u0000${nonce}[\u0000` };
  let markers = 0;
  const ancestors = new Set();
  const jsonOf = (node) => (node && node.toJSON && typeof node.toJSON === 'function' ? node.toJSON() : node);
  const copy = (node) => {
    if (typeof node !== 'object' || node === null) return node;
    if (Array.isArray(node)) {
      if (node.length === 0) {
        markers++;
        return marker['['];
      }
      return node.map((item) => copy(jsonOf(item)));
    }
    if (ancestors.has(node)) throw new TypeError('Converting circular structure to JSON');
    const keys = Object.keys(node).sort();
    const out = {};
    ancestors.add(node);
    let written = 0;
    for (const key of keys) {
      if (key === 'toJSON' || key === '__proto__' || mayBeIndex(key)) throw new Fallback();
      const item = copy(jsonOf(node[key]));
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      out[key] = item;
      written++;
    }
    ancestors.delete(node);
    if (written === 0) {
      markers++;
      return marker['{'];
    }
    return out;
  };
  let text;
  try {
    text = JSON.stringify(copy(jsonOf(value)), null, 2);
  } catch (e) {
    if (e instanceof Fallback) return stableStringify(value, opts);
    throw e;
  }
  if (markers === 0 || text === undefined) return text;
  const quoted = JSON.stringify(`\u0000${nonce}`).slice(0, -1);
  const closing = JSON.stringify('\u0000').slice(1);
  let result = '';
  let from = 0;
  let found = 0;
  for (let at = text.indexOf(quoted); at !== -1; at = text.indexOf(quoted, from)) {
    const kind = text[at + quoted.length];
    if ((kind !== '{' && kind !== '[') || !text.startsWith(closing, at + quoted.length + 1)) return stableStringify(value, opts);
    const lineStart = text.lastIndexOf('\n', at) + 1;
    let indentEnd = lineStart;
    while (text.charCodeAt(indentEnd) === 32) indentEnd++;
    result += `${text.slice(from, at)}${kind}\n${text.slice(lineStart, indentEnd)}${kind === '{' ? '}' : ']'}`;
    from = at + quoted.length + 1 + closing.length;
    found++;
  }
  if (found !== markers) return stableStringify(value, opts);
  return result + text.slice(from);
};
