/**
 * The shape of a committed provider schema snapshot (conformance/snapshots/*.json):
 * facts read from a provider's source at a release tag, nothing else. The conformance
 * check (conform.ts) reads it; npm run provider-schemas (provider-schemas-command.ts) writes it.
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
  /** Value and relation validators beyond enums and the path relations above (regexes, lengths, ranges, ...). */
  readonly validators?: readonly SchemaValidator[];
  /** Validators the extractor cannot read as data (named `pkg.Fn`), kept so their count is visible. */
  readonly unreadValidators?: readonly string[];
  /** The plan modifier that forces replacement when the value changes (`RequiresReplace`, ...). */
  readonly forcesReplacement?: string;
  /** Nested attributes of object kinds. */
  readonly attributes?: Readonly<Record<string, SchemaAttribute>>;
}

/**
 * One validator read from the provider source. `onElements`: it applies to each element of
 * a list, set or map (`listvalidator.ValueStringsAre(...)`). Paths as for `conflictsWith`.
 */
export type SchemaValidator =
  /** `stringvalidator.RegexMatches`: Go RE2 syntax, as written in the source. */
  | { readonly kind: 'regex'; readonly pattern: string; readonly message?: string; readonly onElements?: boolean }
  /** `stringvalidator.NoneOf` / `NoneOfCaseInsensitive`. */
  | { readonly kind: 'noneOf'; readonly values: ReadonlyArray<string | number>; readonly caseInsensitive?: boolean; readonly onElements?: boolean }
  /** `stringvalidator.LengthAtLeast/AtMost/Between`: characters of a string. */
  | { readonly kind: 'length'; readonly min?: number; readonly max?: number; readonly onElements?: boolean }
  /** `listvalidator.SizeAtLeast/...`, `mapvalidator.Size...`, `customvalidator.ObjectSizeAtMost` (non-null attributes). */
  | { readonly kind: 'size'; readonly min?: number; readonly max?: number }
  /** `int64validator.Between/AtLeast/AtMost`, the float64 ones. */
  | { readonly kind: 'range'; readonly min?: number; readonly max?: number; readonly onElements?: boolean }
  /** `boolvalidator.Equals`. */
  | { readonly kind: 'equals'; readonly value: boolean | string | number }
  /** `customvalidator.RequiresOtherStringAttributeToBe(OneOf)` / `ToNullOrBeOneOf`: when this is set, `path` must hold one of `values` (or be null). */
  | { readonly kind: 'requiresOther'; readonly path: string; readonly values: readonly string[]; readonly orNull?: boolean }
  /** `customvalidator.RequiresOtherStringAttributeToNotBeOneOf`: when this is set, `path` must hold none of `values`. */
  | { readonly kind: 'requiresOtherNot'; readonly path: string; readonly values: readonly string[] }
  /** `customvalidator.RequiredWhenOtherStringIsOneOf`: this must be set when `path` holds one of `values`. */
  | { readonly kind: 'requiredWhenOther'; readonly path: string; readonly values: readonly string[] };

/** A schema-level validator across attributes (`resourcevalidator.Conflicting(...)`). */
export interface SchemaConfigValidator {
  readonly kind: 'conflicting' | 'exactlyOneOf' | 'atLeastOneOf' | 'requiredTogether';
  readonly paths: readonly string[];
}

export interface SchemaObject {
  readonly attributes: Readonly<Record<string, SchemaAttribute>>;
  readonly configValidators?: readonly SchemaConfigValidator[];
  /** Schema-level validators the extractor cannot read as data. */
  readonly unreadConfigValidators?: readonly string[];
}

export interface ProviderSnapshot {
  /** Terraform provider name as used in resource type prefixes (`cloudflare`, `tls`). */
  readonly provider: string;
  readonly version: string;
  readonly source: { readonly repository: string; readonly tag: string; readonly commit: string };
  readonly resources: Readonly<Record<string, SchemaObject>>;
  readonly dataSources: Readonly<Record<string, SchemaObject>>;
}
