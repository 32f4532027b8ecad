import * as cdktf from 'cdktf';
import type { Construct } from 'constructs';
import { LocallySignedCert, type LocallySignedCertConfig } from '@cdktf/provider-tls/lib/locally-signed-cert';
import { SelfSignedCert, type SelfSignedCertConfig } from '@cdktf/provider-tls/lib/self-signed-cert';

/**
 * `max_path_length` (tls provider >= 4.2.0) on top of the 11.0.1 classes, which were
 * generated for tls 4.1.0 and lack it.
 *
 * tls 4.2.x copies the value into Go's `x509.Certificate.MaxPathLen` and never sets
 * `MaxPathLenZero`, and Go only writes a path length of 0 when `MaxPathLenZero` is
 * true: `max_path_length = 0` yields a CA with NO path length constraint. So 0 is
 * refused here; a CA that must not issue further CAs relies on its parent's path length.
 */
export interface PathLength {
  /** Largest number of intermediate CAs allowed below this CA. At least 1 (see above). @default no constraint */
  readonly maxPathLength?: number;
}

function checkPathLength(id: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(
      `${id}: max_path_length ${JSON.stringify(value)} cannot be written by the tls provider 4.2.x (0 is encoded as "no constraint"); use 1 or more, or constrain the parent CA`,
    );
  }
}

/** The generated attributes plus `max_path_length`, as both CA classes below write it. */
function withPathLength(attrs: { [name: string]: any }, value: number | undefined): { [name: string]: any } {
  return { ...attrs, max_path_length: cdktf.numberToTerraform(value) };
}

function withPathLengthHcl(attrs: { [name: string]: any }, value: number | undefined): { [name: string]: any } {
  if (value === undefined) return attrs;
  return { ...attrs, max_path_length: { value: cdktf.numberToHclTerraform(value), isBlock: false, type: 'simple', storageClassType: 'number' } };
}

/** A self-signed CA certificate with a path length constraint. */
export class SelfSignedCaCert extends SelfSignedCert {
  readonly maxPathLength?: number;
  constructor(scope: Construct, id: string, config: SelfSignedCertConfig & PathLength) {
    const { maxPathLength, ...rest } = config;
    checkPathLength(id, maxPathLength);
    super(scope, id, rest);
    this.maxPathLength = maxPathLength;
  }
  protected synthesizeAttributes(): { [name: string]: any } {
    return withPathLength(super.synthesizeAttributes(), this.maxPathLength);
  }
  protected synthesizeHclAttributes(): { [name: string]: any } {
    return withPathLengthHcl(super.synthesizeHclAttributes(), this.maxPathLength);
  }
}

/** A CA certificate signed by another CA, with a path length constraint. */
export class LocallySignedCaCert extends LocallySignedCert {
  readonly maxPathLength?: number;
  constructor(scope: Construct, id: string, config: LocallySignedCertConfig & PathLength) {
    const { maxPathLength, ...rest } = config;
    checkPathLength(id, maxPathLength);
    super(scope, id, rest);
    this.maxPathLength = maxPathLength;
  }
  protected synthesizeAttributes(): { [name: string]: any } {
    return withPathLength(super.synthesizeAttributes(), this.maxPathLength);
  }
  protected synthesizeHclAttributes(): { [name: string]: any } {
    return withPathLengthHcl(super.synthesizeHclAttributes(), this.maxPathLength);
  }
}
