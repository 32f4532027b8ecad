import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { fieldPath } from './field-path';

/** Where a field is written in an env file. */
export interface FieldLine {
  /** 1-based line of the field's key (or of its list item). */
  readonly line: number;
  /**
   * The field that was found: the one asked for, or its nearest ancestor written in the
   * file when the field itself is not (a default): `edge` for an unwritten `edge.minTlsVersion`.
   */
  readonly field: string;
}

/** `hostnames[2].apiShield` -> ['hostnames', 2, 'apiShield']. */
export function fieldKeys(field: string): (string | number)[] {
  return [...field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
}

/**
 * The lines of an env file's fields, from the positions the YAML parser keeps. Returns a
 * lookup: the line of a field path as people write it (`hostnames[0].name`), or of its
 * nearest written ancestor; undefined when not even its first key is in the file.
 */
export function fieldLines(text: string): (field: string) => FieldLine | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  return (field) => {
    let node: Node | null | undefined = doc.contents as Node | null;
    let found: FieldLine | undefined;
    const walked: (string | number)[] = [];
    for (const key of fieldKeys(field)) {
      let start: number | undefined;
      if (typeof key === 'string' && isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
        start = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
        node = pair?.value as Node | null | undefined;
      } else if (typeof key === 'number' && isSeq(node)) {
        node = node.items[key] as Node | undefined;
        start = node?.range?.[0];
      } else start = undefined;
      if (start === undefined) break;
      walked.push(key);
      found = { line: lineAt(start), field: fieldPath(walked) };
    }
    return found;
  };
}
