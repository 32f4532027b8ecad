import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { fromRoot } from '../../lib/paths';
import { scratchDir } from './scratch';

/** A real environment file of the repository, parsed, for tests to modify. */
export function baseEnvironment(name = 'dev'): Record<string, any> {
  return parse(readFileSync(fromRoot('envs', `${name}.yaml`), 'utf8'));
}

/**
 * A fresh folder of environment files for one test: `files` maps an env name to
 * an object (written as YAML) or to raw text/bytes (written as is).
 */
export function envDir(files: Record<string, Record<string, unknown> | string | Buffer>): string {
  const dir = scratchDir('edge-envs-');
  for (const [name, content] of Object.entries(files)) writeEnvFile(dir, name, content);
  return dir;
}

/** Writes (or overwrites) `<name>.yaml` in `dir`: an object as YAML, text or bytes as is. */
export function writeEnvFile(dir: string, name: string, content: Record<string, unknown> | string | Buffer): void {
  writeFileSync(join(dir, `${name}.yaml`), typeof content === 'string' || Buffer.isBuffer(content) ? content : stringify(content));
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

/** A fingerprint shaped like a real one, for tests only: no key has it. */
export const TEST_SIGNING_KEY_FINGERPRINT = '0123456789ABCDEF0123456789ABCDEF01234567';

/**
 * prod.yaml with Keyless SSL on, as its commented-out block describes, pinned to the
 * test fingerprint. The committed prod keeps keyless off until a fingerprint verified
 * out of band is set, so tests of a keyless production stack use this instead.
 */
export function prodWithKeyless(): Record<string, any> {
  const text = readFileSync(fromRoot('envs', 'prod.yaml'), 'utf8');
  const start = text.indexOf('# keyless:\n#   enabled: true');
  if (start < 0) throw new Error('envs/prod.yaml no longer carries the commented keyless block');
  const block = parse(text.slice(start).split('\n').map((l) => l.replace(/^# ?/, '')).join('\n'));
  return { ...baseEnvironment('prod'), keyless: { ...block.keyless, packageSigningKeyFingerprint: TEST_SIGNING_KEY_FINGERPRINT } };
}

let testEnvs: string | undefined;

/** The repository's env files with prod's keyless on (see prodWithKeyless), written once per test process. */
export function testEnvsDir(): string {
  if (testEnvs === undefined) {
    const names = readdirSync(fromRoot('envs')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length));
    testEnvs = envDir(Object.fromEntries(names.map((n) => [n, n === 'prod' ? prodWithKeyless() : readFileSync(fromRoot('envs', `${n}.yaml`), 'utf8')])));
  }
  return testEnvs;
}

/**
 * A name no environment can ever have (environment names are lowercase letters and
 * digits, envs/schema ENV_NAME), for "unknown environment" cases: whatever env files
 * are added, it stays unknown.
 */
export const NEVER_AN_ENVIRONMENT = 'no-such-env';

/**
 * The committed env files plus a copy of dev under a name no committed file has, with a
 * zone and hostname of its own (README "Add an environment"): what a developer adding
 * an environment does. Returns the folder and the new name.
 */
export function copyOfDev(): { dir: string; name: string } {
  const names = readdirSync(fromRoot('envs')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length));
  let name = 'added';
  while (names.includes(name)) name += 'x';
  const dev = baseEnvironment('dev');
  const copy = {
    ...dev,
    name,
    cloudflare: { ...dev.cloudflare, zoneId: 'abcdef0123456789abcdef0123456789', zoneName: `${name}.example.org` },
    backend: { ...dev.backend, keyPrefix: `edge-mtls/${name}` },
    hostnames: dev.hostnames.map((h: Record<string, unknown>, i: number) => ({ ...h, name: `api${i}.${name}.example.org` })),
  };
  const dir = envDir({ ...Object.fromEntries(names.map((n) => [n, readFileSync(fromRoot('envs', `${n}.yaml`), 'utf8')])), [name]: copy });
  return { dir, name };
}

/**
 * A folder holding only `local`, pointed at `endpoint` (a private moto) and with keyless
 * off, so its custody stack depends on nothing: the smallest environment that plans and
 * applies for real. Its emulator-gap list is dropped (nothing of it is applied).
 */
export function localWithoutKeyless(endpoint: string): string {
  const local = withField(withField(baseEnvironment('local'), 'aws.endpoint', endpoint), 'keyless', { enabled: false });
  return envDir({ local: withField(local, 'drift', undefined) });
}
