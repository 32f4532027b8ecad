import type { TerraformStack } from 'cdktf';
import { publicCertificateId } from '../modules/origin/domain-server-certificates';
import { mtlsApiDomainId } from '../modules/origin/mtls-api-domain';
import { addMoves, movesForRenamedConstruct, type Move } from './moved';

/**
 * MIGRATION (from position-keyed to hostname-keyed ids), one release: remove this file and its call in origin-stack.ts
 * in the release after every environment has applied it (README, "Construct ids").
 *
 * Until then the origin stack's per-hostname constructs were keyed by their position
 * in the env file's `hostnames` list (`Domain0`, `ServerCertificates/Public0`); now they
 * are keyed by the hostname (`Domain-api.example.com`, `ServerCertificates/Public-api.example.com`).
 * The moves are generated from the env file: position i of the list as it is now is
 * the hostname the previous code gave index i, so apply this release with the same
 * hostname list as the last apply (change the list in a later apply). Moves whose
 * previous address is not in state are no-ops, so the blocks are harmless once done.
 */
export function positionIdMoves(stack: TerraformStack, hostnames: readonly string[]): Move[] {
  const certificates = stack.node.tryFindChild('ServerCertificates');
  return hostnames.flatMap((hostname, i) => {
    const domain = stack.node.tryFindChild(mtlsApiDomainId(hostname));
    const publicCert = certificates?.node.tryFindChild(publicCertificateId(hostname));
    if (!domain || !publicCert) throw new Error(`position-id migration: ${stack.node.id} has no domain or public certificate for "${hostname}"`);
    return [...movesForRenamedConstruct(stack, domain, `Domain${i}`), ...movesForRenamedConstruct(stack, publicCert, `Public${i}`)];
  });
}

export function addPositionIdMigration(stack: TerraformStack, hostnames: readonly string[]): void {
  addMoves(stack, positionIdMoves(stack, hostnames));
}
