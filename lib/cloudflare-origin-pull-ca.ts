import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { keyId } from './key-identity';

/**
 * The published facts of Cloudflare's shared origin-pull CA: the CA that signs the
 * certificate Cloudflare presents to origins for zone-level Authenticated Origin Pulls
 * when no custom certificate is uploaded. Every Cloudflare customer's zone presents a
 * certificate from it, so an origin that trusts it lets anyone who points their own
 * zone at the origin through.
 *
 * Source: Cloudflare's documentation, "Set up authenticated origin pulls" (zone level,
 * Cloudflare certificate), which publishes the CA certificate as
 * https://developers.cloudflare.com/ssl/static/authenticated_origin_pull_ca.pem
 * (sha512WithRSAEncryption, serial 5791BA9556C22E61, valid 2019-10-10 to 2029-11-01,
 * certificate SHA-256 9A1AC2B4BE15F9F27EEE20A734CBA4E9898F61001B3BD7C84B69B56A3E25A2B9,
 * subject key identifier 43594B2B698B80E111336A57CD5738DA9E7DC5EB). Copies of it in
 * circulation differ in their signature algorithm; the key is what identifies it, so
 * the key is what is kept here.
 */
export interface SharedCaFacts {
  /** Who the CA belongs to, for messages. */
  readonly label: string;
  /** Its subject, most significant RDN first, as [short type, value] pairs. */
  readonly subject: readonly (readonly [string, string])[];
  /** Its serial number, upper-case hex. */
  readonly serialNumber: string;
  /** Its DER SubjectPublicKeyInfo, base64. */
  readonly spkiBase64: string;
  /** SHA-256 of that DER, lower-case hex. */
  readonly spkiSha256: string;
}

export const CLOUDFLARE_SHARED_ORIGIN_PULL_CA: SharedCaFacts = {
  label: "Cloudflare's shared origin-pull CA",
  subject: [
    ['C', 'US'],
    ['O', 'CloudFlare, Inc.'],
    ['OU', 'Origin Pull'],
    ['L', 'San Francisco'],
    ['ST', 'California'],
    ['CN', 'origin-pull.cloudflare.net'],
  ],
  serialNumber: '5791BA9556C22E61',
  spkiBase64:
    'MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA3bLbOiNh+XRsp+GnQAkEV5X6NCpsLDew' +
    'ea8Q/AuaoMurKcjja1ldHnL3XhkH1mvBsv8rk7jp7F38u6MmdXZvd3NzHmu2JDOyjTHOWOpudtBP' +
    'bR6KHH9asXg6RkrJ1nOx1omxYA+6mUMfk/snzaret7zyNB2ATmGqOoVndyUIbuXGgHCEtprObc0k' +
    'mVR/N2T3ui5G+cUYC5d3lxBXHyNg455TrSxaqYx7hAd06+moH3VsmhhBIpUWNSAd5Ok3y02kol9v' +
    '0sifem6fdsL00o0e1Eow1fcqX+wA+rur8CWd28DYrDcOS6baYdBQZ3NUepw6B5r0EaMsraHtK5f3' +
    'fNNYvTa7v312vpeStp39ZKEdyF+ONGdovfmeIlQOvTZgm0+DFY5uyt85TrcHyO4tSmFb/gE6OMnI' +
    'AbmX2PX/9pQYSL+wR7mWpW/Q/vxCvGjFH4wxeInBBpvkUHxMb9pzqZEeAX0KaRf3S5pGH44LTteN' +
    'N19IoZE+kz2EHZmEuiX+d/yqagt2gPke84Nm4q7b6a4p5UdeDDb8DrAzs7CuKfFmLIGTkeEK9oAM' +
    'fs9mlTrP/O/k1TkdK9eIq0LMW4O7j9l+LfhF8dd4JR8cBvgp81FcnAyzFRr7hmlIBfYbpGcZTmZ6' +
    '5elTn9X4NAmn97r1fLJjpFcOgzLBoQWUiVcGqNFEDakCAwEAAQ==',
  spkiSha256: 'e2ef9fe85ac39f522dc773505f399875aa75ac10c49766ca899f8f99b07da34c',
};

/** SHA-256 of a DER SubjectPublicKeyInfo, lower-case hex: the identity of a key. */
export function spkiSha256(spkiDer: Buffer): string {
  return createHash('sha256').update(spkiDer).digest('hex');
}

/** The shared CA's key identity (lib/key-identity): what certificates are compared with, whatever their encoding. */
export function sharedCaKeyId(facts: SharedCaFacts): string {
  sharedCaPublicKey(facts);
  return keyId(Buffer.from(facts.spkiBase64, 'base64'));
}

/** The shared CA's public key, after checking the kept key against its kept hash (a typo must not silently weaken the check). */
export function sharedCaPublicKey(facts: SharedCaFacts): KeyObject {
  const der = Buffer.from(facts.spkiBase64, 'base64');
  const actual = spkiSha256(der);
  if (actual !== facts.spkiSha256) throw new Error(`${facts.label}: the kept public key hashes to ${actual}, not the kept ${facts.spkiSha256}`);
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}
