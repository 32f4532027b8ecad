import * as cdktf from 'cdktf';
import type { Construct } from 'constructs';

/**
 * What every hand-written binding shares: the meta-arguments handed to
 * TerraformResource, and a typed way to declare attributes so `synthesizeAttributes`
 * (JSON) and `synthesizeHclAttributes` (HCL) come from one table.
 */

export type AttributeValue =
  | { readonly kind: 'string'; readonly value: string | undefined }
  | { readonly kind: 'number'; readonly value: number | undefined }
  | { readonly kind: 'bool'; readonly value: boolean | cdktf.IResolvable | undefined }
  | { readonly kind: 'stringList'; readonly value: readonly string[] | undefined }
  | { readonly kind: 'objectList'; readonly value: ReadonlyArray<Record<string, unknown>> | undefined };

export interface BindingSpec {
  /** Terraform type, e.g. `cloudflare_certificate_authorities_hostname_associations`. */
  readonly type: string;
  /** Provider name and the version whose schema the binding follows. */
  readonly provider: string;
  readonly version: string;
}

/** A TerraformResource whose attributes are listed once, in Terraform's names. */
export abstract class TypedResource extends cdktf.TerraformResource {
  protected constructor(scope: Construct, id: string, spec: BindingSpec, meta: cdktf.TerraformMetaArguments) {
    super(scope, id, {
      terraformResourceType: spec.type,
      terraformGeneratorMetadata: { providerName: spec.provider, providerVersion: spec.version },
      provider: meta.provider,
      dependsOn: meta.dependsOn,
      count: meta.count,
      lifecycle: meta.lifecycle,
      provisioners: meta.provisioners,
      connection: meta.connection,
      forEach: meta.forEach,
    });
  }

  /** The configured attributes, in Terraform's names. */
  protected abstract attributes(): Record<string, AttributeValue>;

  protected synthesizeAttributes(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, a] of Object.entries(this.attributes())) {
      if (a.value === undefined) continue;
      switch (a.kind) {
        case 'string': out[name] = cdktf.stringToTerraform(a.value); break;
        case 'number': out[name] = cdktf.numberToTerraform(a.value); break;
        case 'bool': out[name] = cdktf.booleanToTerraform(a.value); break;
        case 'stringList': out[name] = cdktf.listMapper(cdktf.stringToTerraform, false)([...a.value]); break;
        case 'objectList': out[name] = a.value.map((o) => ({ ...o })); break;
      }
    }
    return out;
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, a] of Object.entries(this.attributes())) {
      if (a.value === undefined) continue;
      const simple = (value: unknown, storageClassType: string, type = 'simple') => ({ value, isBlock: false, type, storageClassType });
      switch (a.kind) {
        case 'string': out[name] = simple(cdktf.stringToHclTerraform(a.value), 'string'); break;
        case 'number': out[name] = simple(cdktf.numberToHclTerraform(a.value), 'number'); break;
        case 'bool': out[name] = simple(cdktf.booleanToHclTerraform(a.value), 'boolean'); break;
        case 'stringList': out[name] = simple(cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)([...a.value]), 'stringList', 'list'); break;
        case 'objectList': out[name] = simple(a.value.map((o) => ({ ...o })), 'list', 'list'); break;
      }
    }
    return out;
  }
}
