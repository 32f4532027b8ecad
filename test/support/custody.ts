import type { StackJson } from './synth';

/**
 * Public values leave the custody stack (`<env>-pki`) only as SSM `String` parameters it
 * writes (modules/custody/public-values.ts); a public stack reads each one with a
 * `data.aws_ssm_parameter` that does not decrypt. These helpers follow such a read in a
 * synthesized public stack back to what the custody stack writes.
 */

const READ = /data\.aws_ssm_parameter\.([\w-]+)\.insecure_value/g;

/**
 * The `aws_ssm_parameter` of `custody` that the read `reference` of `reader` (text holding
 * `data.aws_ssm_parameter.<name>.insecure_value`, e.g. `${...}`) reads. Throws unless the
 * read exists, does not decrypt, and exactly one String parameter of `custody` has its name.
 */
export function publishedParameter(custody: StackJson, reader: StackJson, reference: string): any {
  const reads = [...reference.matchAll(READ)];
  if (reads.length !== 1) throw new Error(`expected one SSM parameter read in ${JSON.stringify(reference)}, found ${reads.length}`);
  const read = (reader as any).data?.aws_ssm_parameter?.[reads[0][1]];
  if (!read) throw new Error(`no data.aws_ssm_parameter.${reads[0][1]} in the reading stack`);
  if (read.with_decryption !== false) throw new Error(`data.aws_ssm_parameter.${reads[0][1]} does not set with_decryption = false`);
  const written = Object.values<any>((custody as any).resource?.aws_ssm_parameter ?? {}).filter((p) => p.name === read.name);
  if (written.length !== 1) throw new Error(`expected the custody stack to write ${read.name} once, found ${written.length}`);
  if (written[0].type !== 'String') throw new Error(`${read.name} is a ${written[0].type} parameter, not a String`);
  return written[0];
}

/** `text` of `reader` with every parameter read replaced by `(<the value custody writes to it>)`. */
export function throughCustody(text: string, reader: StackJson, custody: StackJson): string {
  return text.replace(READ, (m) => `(${publishedParameter(custody, reader, m).insecure_value})`);
}
