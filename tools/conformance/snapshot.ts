/**
 * The shape of a committed provider schema snapshot (tools/conformance/snapshots/*.json):
 * facts read from a provider's source at a release tag, nothing else. The conformance
 * check (conform.ts) reads it; scripts/provider-schemas.ts writes it.
 */

/** How a value nests: a primitive, a collection of primitives, or objects (attributes or blocks). */
export type SchemaKind =
  | 'string' | 'bool' | 'int64' | 'float64' | 'number' | 'dynamic'
  | 'list' | 'set' | 'map'
  /** `SingleNestedAttribute`: exactly one object, written `{...}`, never `[{...}]`. */
  | 'object'
  | 'list-of-objects' | 'set-of-objects' | 'map-of-objects'
  /** Blocks (older SDK style); Terraform JSON accepts one object or a list of them. */
  | 'block-list' | 'block-set' | 'block-object';

/** Who sets the value: the configuration (required / optional) or only the provider (computed). */
export type SchemaMode = 'required' | 'optional' | 'optional-computed' | 'computed';

export interface SchemaEnum {
  readonly values: ReadonlyArray<string | number>;
  /** `OneOfCaseInsensitive` rather than `OneOf`. */
  readonly caseInsensitive?: boolean;
  /** The validator applies to each element of a list or set. */
  readonly onElements?: boolean;
}

export interface SchemaAttribute {
  readonly kind: SchemaKind;
  readonly mode: SchemaMode;
  readonly sensitive?: boolean;
  /** Element type of a primitive list, set or map (`string`, `int64`...). */
  readonly element?: string;
  readonly enum?: SchemaEnum;
  /** Paths relative to this attribute (`../name`) or from the root (`name`). */
  readonly conflictsWith?: readonly string[];
  readonly exactlyOneOf?: readonly string[];
  readonly alsoRequires?: readonly string[];
  readonly atLeastOneOf?: readonly string[];
  /** The plan modifier that forces replacement when the value changes (`RequiresReplace`, ...). */
  readonly forcesReplacement?: string;
  /** Nested attributes of object kinds. */
  readonly attributes?: Readonly<Record<string, SchemaAttribute>>;
}

/** A schema-level validator across attributes (`resourcevalidator.Conflicting(...)`). */
export interface SchemaConfigValidator {
  readonly kind: 'conflicting' | 'exactlyOneOf' | 'atLeastOneOf' | 'requiredTogether';
  readonly paths: readonly string[];
}

export interface SchemaObject {
  readonly attributes: Readonly<Record<string, SchemaAttribute>>;
  readonly configValidators?: readonly SchemaConfigValidator[];
}

export interface ProviderSnapshot {
  /** Terraform provider name as used in resource type prefixes (`cloudflare`, `tls`). */
  readonly provider: string;
  readonly version: string;
  readonly source: { readonly repository: string; readonly tag: string; readonly commit: string };
  readonly resources: Readonly<Record<string, SchemaObject>>;
  readonly dataSources: Readonly<Record<string, SchemaObject>>;
}
