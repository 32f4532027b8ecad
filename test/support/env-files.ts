import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { fromRoot } from '../../lib/paths';

/** A real environment file of the repository, parsed, for tests to modify. */
export function baseEnvironment(name = 'dev'): Record<string, any> {
  return parse(readFileSync(fromRoot('envs', `${name}.yaml`), 'utf8'));
}

/**
 * A fresh folder of environment files for one test: `files` maps an env name to
 * an object (written as YAML) or to raw text/bytes (written as is).
 */
export function envDir(files: Record<string, Record<string, unknown> | string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'edge-envs-'));
  for (const [name, content] of Object.entries(files)) {
    const data = typeof content === 'string' || Buffer.isBuffer(content) ? content : stringify(content);
    writeFileSync(join(dir, `${name}.yaml`), data);
  }
  return dir;
}

/** Deep-sets `path` (`a.b[0].c`) in a copy of `obj`; `undefined` deletes the field. */
export function withField(obj: Record<string, any>, path: string, value: unknown): Record<string, any> {
  const copy = structuredClone(obj);
  const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '');
  let node: any = copy;
  for (const k of keys.slice(0, -1)) node = node[/^\d+$/.test(k) ? Number(k) : k];
  const last = keys[keys.length - 1];
  if (value === undefined) delete node[last];
  else node[/^\d+$/.test(last) ? Number(last) : last] = value;
  return copy;
}
