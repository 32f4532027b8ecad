import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fromRoot } from '../../lib/paths';

/**
 * What the live checks know about applied resources: each stack's state, read the way
 * its backend says (a local file, or the S3 object; read-only, no lock), reduced to
 * `type.name` -> attributes of managed resources. Resources are found by TYPE across
 * every stack of the environment, never by stack name, so a resource moving to another
 * stack (the tunnel-token secret into the custody stack `<env>-pki`) is still found.
 */

/** `type.name` -> attributes (first instance; the project uses no count/for_each on these types). */
export type StateValues = Map<string, Readonly<Record<string, unknown>>>;

export interface StateRead {
  /** Every managed resource of every stack whose state could be read. */
  readonly values: StateValues;
  /** Resource address -> the stack holding it. */
  readonly stackOf: ReadonlyMap<string, string>;
  /** Stacks whose state could not be read, and why (a custody stack under a read-only role, a stack never applied). */
  readonly unreadable: ReadonlyMap<string, string>;
}

interface TfState {
  readonly resources?: ReadonlyArray<{ mode: string; type: string; name: string; instances?: ReadonlyArray<{ attributes?: Record<string, unknown> }> }>;
}

/**
 * Parses a Terraform state file (format 4) into `type.name` -> attributes, and data
 * sources as `data.type.name`: a public stack reads what the custody stack published
 * through `data.aws_ssm_parameter`, and that read is where a published id is in its state.
 */
export function parseState(text: string): StateValues {
  const state = JSON.parse(text) as TfState;
  const out: StateValues = new Map();
  for (const r of state.resources ?? []) {
    const attrs = r.instances?.[0]?.attributes;
    if (!attrs) continue;
    if (r.mode === 'managed') out.set(`${r.type}.${r.name}`, attrs);
    else if (r.mode === 'data') out.set(`data.${r.type}.${r.name}`, attrs);
  }
  return out;
}

export interface StateSources {
  /** Where relative local backend paths resolve. @default the repository root */
  readonly stateRoot?: string;
  /** Reads an S3 state object. @default an S3 client in the backend's region */
  readonly s3?: (bucket: string, key: string, region?: string) => Promise<string>;
}

async function s3Text(bucket: string, key: string, region?: string): Promise<string> {
  const client = new S3Client({ region, maxAttempts: 2 });
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await out.Body?.transformToString('utf8')) ?? '';
}

/** Reads the state of every stack; a stack that cannot be read is listed, not fatal. */
export async function readStates(stacks: ReadonlyMap<string, Record<string, any>>, sources: StateSources = {}): Promise<StateRead> {
  const values: StateValues = new Map();
  const stackOf = new Map<string, string>();
  const unreadable = new Map<string, string>();
  for (const [name, json] of stacks) {
    const backend = json.terraform?.backend ?? {};
    try {
      let text: string;
      if (backend.local?.path) {
        const p = backend.local.path as string;
        text = readFileSync(isAbsolute(p) ? p : resolve(sources.stateRoot ?? fromRoot(), p), 'utf8');
      } else if (backend.s3?.bucket) {
        text = await (sources.s3 ?? s3Text)(backend.s3.bucket, backend.s3.key, backend.s3.region);
      } else {
        unreadable.set(name, 'no local or s3 backend');
        continue;
      }
      for (const [address, attrs] of parseState(text)) {
        values.set(address, attrs);
        stackOf.set(address, name);
      }
    } catch (e) {
      const code = (e as { code?: string; name?: string }).code ?? (e as { name?: string }).name;
      unreadable.set(name, code === 'ENOENT' || code === 'NoSuchKey' ? 'not applied yet' : `state not readable (${code ?? (e as Error).message.split('\n')[0]})`);
    }
  }
  return { values, stackOf, unreadable };
}

/** The state attributes of every resource of a type, across stacks. */
export function ofType(values: StateValues, type: string): Array<[string, Readonly<Record<string, unknown>>]> {
  return [...values].filter(([a]) => a.startsWith(`${type}.`));
}
