import type { X509Certificate } from 'node:crypto';
import { displayName, identify } from './certificate-identity';

/**
 * Pinned trust: a CA handed in as a file (a bring-your-own CA bundle, an extra trusted
 * CA) is trusted only when the env file lists its key. The checks of lib/ca-trust refuse
 * what they can recognise (shared and public CAs, broken chains); a pin makes trust a
 * decision someone wrote down and a reviewer saw, so a CA that passes for private (a
 * twin of a public intermediate, which no root store lists) cannot enter by a changed
 * PEM file alone: it needs a pin change, which the review marks as a weakening.
 *
 * A pin is `sha256:<hex>` of the canonical key (lib/key-identity), so one key keeps
 * one pin whatever encoding its certificate uses, and a renewed certificate with the
 * same key keeps its pin. A generated PKI needs no pins: its keys are made by Terraform
 * in the custody stack, never read from a file.
 */

export const CA_PIN_PREFIX = 'sha256:';

/** The shape of one pin, for the env schema. */
export const CA_PIN_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** The pin of a certificate's key: `sha256:` and the canonical key id. */
export function caPin(certificate: X509Certificate): string {
  return `${CA_PIN_PREFIX}${identify(certificate).keyId}`;
}

/** One certificate of a bundle whose key the pin list lacks. */
export interface UnpinnedCa {
  /** Position in the bundle, from 0. */
  readonly index: number;
  /** The pin to add, after checking the CA is the one meant. */
  readonly pin: string;
  /** Subject, for messages. */
  readonly subject: string;
}

/** Every certificate of `certificates` whose key `pins` does not list. */
export function unpinnedCas(certificates: readonly X509Certificate[], pins: readonly string[]): UnpinnedCa[] {
  const listed = new Set(pins);
  return certificates.flatMap((certificate, index) => {
    const id = identify(certificate);
    const pin = `${CA_PIN_PREFIX}${id.keyId}`;
    return listed.has(pin) ? [] : [{ index, pin, subject: displayName(id.subject) }];
  });
}

/**
 * The message for one unpinned CA: what it is, why it is refused, and the exact line to
 * add under `pinField` once a person has checked the CA is theirs.
 */
export function unpinnedMessage(ca: UnpinnedCa, pinField: string): string {
  return (
    `certificate ${ca.index + 1} (${ca.subject}) has a key the env file does not pin; a CA is trusted only when ${pinField} lists its key. ` +
    `If this is your CA, add the line \`- ${ca.pin}\` under ${pinField} (the review marks the change as a weakening)`
  );
}
