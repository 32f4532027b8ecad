/**
 * The one reader of synthesized Terraform JSON (`cdk.tf.json`). Policy rules, the
 * review's security view and its weakening check all see a stack through this class,
 * so they cannot disagree about what a stack contains or what a reference points at.
 */

/** Synthesized Terraform JSON of one stack (`cdk.tf.json`). */
export type StackJson = Record<string, any>;

/** One resource or data source of a stack, with its Terraform address. */
export interface TfResource {
  /** `aws_s3_bucket`, or `data.aws_iam_policy_document` for data sources. */
  readonly type: string;
  readonly name: string;
  /** `aws_s3_bucket.TruststoreBucket_5584D550`, as Terraform prints it. */
  readonly address: string;
  readonly body: Record<string, any>;
  /** The construct path CDKTF records in the block's `//` metadata (`dev-origin/Truststore/Bucket`), when present. */
  readonly constructPath?: string;
}

const WHOLE_REFERENCE = /^\$\{((?:data\.)?[a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\.[^}]*)?\}$/;
const ANY_REFERENCE = /\$\{((?:data\.)?[a-z0-9_]+)\.([A-Za-z0-9_-]+)[^}]*\}/g;

/** Every resource address mentioned in a value (strings, lists, nested blocks). */
export function referencedAddresses(value: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'string') for (const m of v.matchAll(ANY_REFERENCE)) out.push(`${m[1]}.${m[2]}`);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(value);
  return out;
}

/** Nested blocks appear in CDKTF JSON as an object or a one-element list; every reader treats both the same way. */
export function blocks(value: unknown): Record<string, any>[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((b) => b && typeof b === 'object');
}

/** The construct path in a block's CDKTF metadata (`"//": {"metadata": {"path": ...}}`). */
export function constructPathOf(body: unknown): string | undefined {
  const path = (body as { '//'?: { metadata?: { path?: unknown } } } | undefined)?.['//']?.metadata?.path;
  return typeof path === 'string' ? path : undefined;
}

/** Construct paths by Terraform address (`aws_s3_bucket.X` -> `dev-origin/Truststore/Bucket`). */
export function constructPaths(json: StackJson): Map<string, string> {
  return new Map(new TfStack('', json).resources.flatMap((r) => (r.constructPath ? [[r.address, r.constructPath] as const] : [])));
}

/**
 * A stack as its readers see it: every resource and data source by address, with
 * helpers to follow `${type.name.attr}` references between them.
 */
export class TfStack {
  readonly resources: readonly TfResource[];
  private readonly byAddress: Map<string, TfResource>;

  constructor(
    /** `dev-origin` */
    readonly name: string,
    readonly json: StackJson,
  ) {
    const all: TfResource[] = [];
    for (const [prefix, section] of [['', json.resource], ['data.', json.data]] as const) {
      for (const [type, byName] of Object.entries<Record<string, any>>(section ?? {})) {
        for (const [name, body] of Object.entries(byName)) {
          const constructPath = constructPathOf(body);
          all.push({ type: `${prefix}${type}`, name, address: `${prefix}${type}.${name}`, body, ...(constructPath ? { constructPath } : {}) });
        }
      }
    }
    this.resources = all;
    this.byAddress = new Map(all.map((r) => [r.address, r]));
  }

  get(address: string): TfResource | undefined {
    return this.byAddress.get(address);
  }

  ofType(type: string): TfResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The resource a whole-value reference such as `${aws_s3_bucket.b.id}` points at; undefined for literals. */
  resolve(value: unknown): TfResource | undefined {
    if (typeof value !== 'string') return undefined;
    const m = value.match(WHOLE_REFERENCE);
    return m ? this.byAddress.get(`${m[1]}.${m[2]}`) : undefined;
  }

  /** Resources of `type` whose `field` refers to `target` (the public access block of a bucket...). */
  referencing(target: TfResource, type: string, field: string): TfResource[] {
    return this.ofType(type).filter((r) => referencedAddresses(r.body[field]).includes(target.address));
  }
}
