import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';

/**
 * A public value a custody stack hands to the public stacks. Text known at synth time
 * (a bring-your-own CA's PEM) travels as it is; a value known only at apply time (a
 * generated certificate, an upload's id) travels as the name of the SSM `String`
 * parameter the custody stack writes it to. Never a cross-stack reference: reading a
 * custody stack's state would read its private keys too.
 */
export type PublicValue = { readonly literal: string } | { readonly parameter: string };

export interface PublicValuesProps {
  /** Parameter path of the environment, `/edge-mtls/<env>/public` (lib/naming publicParameterPrefix). */
  readonly prefix: string;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Where a custody stack publishes public material: one SSM `String` parameter per value,
 * written as `insecure_value` so a deploy plan shows the value that changes. Only the
 * public stacks' roles read this path; nothing secret may be published (the custody test
 * refuses a parameter whose value references a sensitive attribute).
 */
export class PublicValues extends Construct {
  private readonly prefix: string;
  private readonly names = new Set<string>();

  constructor(scope: Construct, id: string, props: PublicValuesProps) {
    super(scope, id);
    if (!/^(\/[\w.-]+)+$/.test(props.prefix)) throw new Error(`PublicValues ${id}: prefix ${JSON.stringify(props.prefix)} is not an SSM path such as /edge-mtls/dev/public`);
    this.prefix = props.prefix;
  }

  /** Publishes `value` as `<prefix>/<name>` when it is only known at apply time; returns how to read it. */
  publish(name: string, value: string, description: string): PublicValue {
    if (!NAME.test(name)) throw new Error(`PublicValues ${this.node.id}: name ${JSON.stringify(name)} must be lowercase letters, digits and dashes (at most 63)`);
    if (this.names.has(name)) throw new Error(`PublicValues ${this.node.id}: ${JSON.stringify(name)} is published twice`);
    this.names.add(name);
    if (!Token.isUnresolved(value)) return { literal: value };
    const parameter = `${this.prefix}/${name}`;
    new SsmParameter(this, name, { name: parameter, type: 'String', insecureValue: value, description: `${description} (public; written by the custody stack)` });
    return { parameter };
  }
}

const reads = new WeakMap<Construct, Map<string, string>>();

/**
 * The value of `published` inside a public stack: the literal, or the parameter read at
 * plan time (one data source per parameter and scope, however often it is asked for).
 * A plan before the custody stack has published it waits for it (the plan runner reports
 * the missing parameter as pending, not as an error).
 */
export function readPublicValue(scope: Construct, published: PublicValue): string {
  if ('literal' in published) return published.literal;
  const known = reads.get(scope) ?? new Map<string, string>();
  reads.set(scope, known);
  const hit = known.get(published.parameter);
  if (hit !== undefined) return hit;
  const name = published.parameter.slice(published.parameter.lastIndexOf('/') + 1);
  // Never decrypt: a String parameter reads the same either way, and a parameter swapped
  // for a SecureString out of band must not put a decrypted secret into public state.
  const value = new DataAwsSsmParameter(scope, `Custody-${name}`, { name: published.parameter, withDecryption: false }).insecureValue;
  known.set(published.parameter, value);
  return value;
}
