import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Real certificates for tests, made by the openssl CLI in a temp folder. Every
 * certificate goes through `openssl ca` so that validity dates (also in the past),
 * digests, basic constraints and key usages are all explicit.
 */

/** Why openssl-backed tests cannot run here, or undefined when they can. */
export function opensslUnavailableReason(): string | undefined {
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'the openssl CLI is not installed (.ci/run installs it)';
}

export type TestKeyAlgorithm = { type: 'rsa'; bits: number } | { type: 'ec'; curve: 'P-256' | 'P-384' | 'P-521' };

export interface TestCertificate {
  readonly name: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export interface IssueOptions {
  /** Subject, as openssl's `/CN=.../O=...`. */
  readonly subject: string;
  readonly key?: TestKeyAlgorithm;
  /** Reuse an existing key file instead of making one. */
  readonly keyPath?: string;
  /** Issuer; self-signed when absent. */
  readonly issuer?: TestCertificate;
  readonly ca: boolean;
  /** basicConstraints pathlen for CAs. */
  readonly pathLength?: number;
  /** openssl keyUsage names (`digitalSignature`, `keyCertSign`, ...). */
  readonly keyUsage: readonly string[];
  /** openssl extendedKeyUsage names (`clientAuth`, `serverAuth`). */
  readonly extendedKeyUsage?: readonly string[];
  readonly dnsNames?: readonly string[];
  /** `YYYYMMDDHHMMSSZ`. @default one hour ago */
  readonly notBefore?: string;
  /** `YYYYMMDDHHMMSSZ`. @default notBefore + 30 days */
  readonly notAfter?: string;
  /** @default sha256 */
  readonly digest?: string;
}

export interface CertifyOptions {
  /** Subject in openssl's `/CN=.../O=...` form; `+` joins attributes into one RDN. */
  readonly subject: string;
  /** Key of the subject to make. @default a new ECDSA P-256 key */
  readonly key?: TestKeyAlgorithm;
  /** Reuse this private key for the subject. */
  readonly keyPath?: string;
  /** Certify this public key (PEM) instead: needs an issuer. */
  readonly publicKeyPath?: string;
  /** Signer; self-signed when absent. */
  readonly issuer?: Pick<TestCertificate, 'certPath' | 'keyPath'>;
  /** @default true */
  readonly ca?: boolean;
  /** @default sha256 */
  readonly digest?: string;
  /** Decimal or 0x-hex serial. @default the clock */
  readonly serial?: string;
  /** Read the subject as UTF-8 (self-signed only). @default false */
  readonly utf8?: boolean;
}

/** `YYYYMMDDHHMMSSZ` for a date, as `openssl ca -startdate` wants it. */
export function asn1Time(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
}

export function hoursFromNow(hours: number): Date {
  return new Date(Date.now() + hours * 3600_000);
}

export class OpensslWorkbench {
  private serials = 0;

  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'newcerts'), { recursive: true });
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(
      join(dir, 'ca.cnf'),
      [
        '[ca]',
        'default_ca = test_ca',
        '[test_ca]',
        `database = ${join(dir, 'index.txt')}`,
        `new_certs_dir = ${join(dir, 'newcerts')}`,
        'policy = any_dn',
        'unique_subject = no',
        'rand_serial = yes',
        'email_in_dn = no',
        'copy_extensions = none',
        '[any_dn]',
        'commonName = supplied',
        'organizationName = optional',
        'organizationalUnitName = optional',
        'countryName = optional',
        'stateOrProvinceName = optional',
        'localityName = optional',
        '[req]',
        'distinguished_name = dn',
        '[dn]',
        '',
      ].join('\n'),
    );
  }

  run(args: readonly string[]): string {
    return execFileSync('openssl', [...args], { cwd: this.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  key(name: string, algorithm: TestKeyAlgorithm): string {
    const path = join(this.dir, `${name}.key`);
    const opts =
      algorithm.type === 'rsa'
        ? ['-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${algorithm.bits}`]
        : ['-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${algorithm.curve}`];
    this.run(['genpkey', ...opts, '-out', path]);
    return path;
  }

  /** A certificate signing request for a key; `dnsNames` go into the request. */
  request(name: string, keyPath: string, subject: string): string {
    const path = join(this.dir, `${name}.csr`);
    this.run(['req', '-new', '-config', join(this.dir, 'ca.cnf'), '-key', keyPath, '-subj', subject, '-out', path]);
    return path;
  }

  /** Signs `csrPath` (or self-signs) with explicit dates, digest and extensions. */
  sign(name: string, csrPath: string, keyPath: string, o: Omit<IssueOptions, 'subject' | 'key' | 'keyPath'>): TestCertificate {
    const certPath = join(this.dir, `${name}.crt`);
    const ext: string[] = ['[v3]'];
    ext.push(o.ca ? `basicConstraints = critical, CA:TRUE${o.pathLength !== undefined ? `, pathlen:${o.pathLength}` : ''}` : 'basicConstraints = critical, CA:FALSE');
    if (o.keyUsage.length) ext.push(`keyUsage = critical, ${o.keyUsage.join(', ')}`);
    if (o.extendedKeyUsage?.length) ext.push(`extendedKeyUsage = ${o.extendedKeyUsage.join(', ')}`);
    if (o.dnsNames?.length) ext.push(`subjectAltName = ${o.dnsNames.map((d) => `DNS:${d}`).join(', ')}`);
    ext.push('subjectKeyIdentifier = hash');
    if (o.issuer) ext.push('authorityKeyIdentifier = keyid');
    const extPath = join(this.dir, `${name}.ext`);
    writeFileSync(extPath, `${ext.join('\n')}\n`);
    const notBefore = o.notBefore ?? asn1Time(hoursFromNow(-1));
    const notAfter = o.notAfter ?? asn1Time(hoursFromNow(24 * 30));
    const signer = o.issuer ? ['-cert', o.issuer.certPath, '-keyfile', o.issuer.keyPath] : ['-selfsign', '-keyfile', keyPath];
    this.run([
      'ca', '-batch', '-notext', '-config', join(this.dir, 'ca.cnf'), '-preserveDN',
      '-md', o.digest ?? 'sha256', '-startdate', notBefore, '-enddate', notAfter,
      '-extfile', extPath, '-extensions', 'v3', ...signer, '-in', csrPath, '-out', certPath,
    ]);
    return { name, certPath, keyPath, certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
  }

  /** Key, request and certificate in one go. */
  issue(name: string, o: IssueOptions): TestCertificate {
    const keyPath = o.keyPath ?? this.key(name, o.key ?? { type: 'rsa', bits: 2048 });
    return this.sign(name, this.request(name, keyPath, o.subject), keyPath, o);
  }

  /** A root CA -> intermediate CA pair, the shape of our PKI. */
  caChain(prefix: string, o: { key?: TestKeyAlgorithm; notAfter?: string } = {}): { root: TestCertificate; intermediate: TestCertificate } {
    const caUsage = ['keyCertSign', 'cRLSign', 'digitalSignature'];
    const root = this.issue(`${prefix}-root`, { subject: `/CN=${prefix} Root CA/O=Test`, key: o.key, ca: true, pathLength: 1, keyUsage: caUsage, notAfter: o.notAfter });
    const intermediate = this.issue(`${prefix}-intermediate`, {
      subject: `/CN=${prefix} Intermediate CA/O=Test`, key: o.key, issuer: root, ca: true, pathLength: 0, keyUsage: caUsage, notAfter: o.notAfter,
    });
    return { root, intermediate };
  }

  /** A clientAuth leaf (CA:FALSE, digitalSignature + keyEncipherment). */
  clientLeaf(name: string, issuer: TestCertificate, extra: Partial<IssueOptions> = {}): TestCertificate {
    return this.issue(name, {
      subject: `/CN=${name}/O=Test`, issuer, ca: false, keyUsage: ['digitalSignature', 'keyEncipherment'], extendedKeyUsage: ['clientAuth'], ...extra,
    });
  }

  /**
   * A certificate made directly with `openssl x509 -new`, for names `openssl ca` would
   * normalise away (surrounding or doubled spaces, multi-valued RDNs) and for keys we
   * hold only the public half of (`publicKeyPath`: the key goes in as it is, signed by
   * `issuer`). Self-signed with `keyPath` when there is no issuer.
   */
  certify(name: string, o: CertifyOptions): TestCertificate {
    const certPath = join(this.dir, `${name}.crt`);
    const keyPath = o.keyPath ?? (o.publicKeyPath ? '' : this.key(name, o.key ?? { type: 'ec', curve: 'P-256' }));
    const extPath = join(this.dir, `${name}.x509.ext`);
    writeFileSync(
      extPath,
      `${[`basicConstraints = critical, CA:${o.ca === false ? 'FALSE' : 'TRUE'}`, `keyUsage = critical, ${o.ca === false ? 'digitalSignature' : 'keyCertSign, cRLSign'}`, 'subjectKeyIdentifier = hash'].join('\n')}\n`,
    );
    if (o.publicKeyPath && !o.issuer) throw new Error(`certify ${name}: a public key alone cannot self-sign; give an issuer`);
    // openssl x509 -new signs with -key when self-signing; with -CA the subject key goes in as a public key.
    let subjectKey = ['-key', keyPath];
    if (o.issuer) {
      const publicKeyPath = o.publicKeyPath ?? join(this.dir, `${name}.pub.pem`);
      if (!o.publicKeyPath) this.run(['pkey', '-in', keyPath, '-pubout', '-out', publicKeyPath]);
      subjectKey = ['-force_pubkey', publicKeyPath];
    }
    const signer = o.issuer ? ['-CA', o.issuer.certPath, '-CAkey', o.issuer.keyPath] : [];
    const common = ['-subj', o.subject, '-days', '30', `-${o.digest ?? 'sha256'}`, '-set_serial', o.serial ?? String(Date.now() * 1000 + (this.serials++ % 1000)), '-out', certPath];
    if (o.utf8) {
      // Only `req` reads -subj as UTF-8; `x509 -new` takes its bytes as Latin-1.
      if (o.issuer) throw new Error(`certify ${name}: UTF-8 subjects are made self-signed only`);
      const exts = readFileSync(extPath, 'utf8').trim().split('\n').flatMap((line) => ['-addext', line]);
      this.run(['req', '-x509', '-new', '-utf8', '-config', join(this.dir, 'ca.cnf'), '-key', keyPath, ...exts, ...common]);
    } else {
      this.run(['x509', '-new', ...subjectKey, ...signer, '-extfile', extPath, ...common]);
    }
    return { name, certPath, keyPath, certPem: readFileSync(certPath, 'utf8'), keyPem: keyPath ? readFileSync(keyPath, 'utf8') : '' };
  }

  write(name: string, content: string | Buffer): string {
    const path = join(this.dir, name);
    writeFileSync(path, content);
    return path;
  }
}

/** A small CA and a server leaf for `host`, as PEM text (keys stay in the temp dir). */
export interface TestCertificates {
  /** CA-signed leaf (serverAuth, CA:FALSE), valid for one day. */
  readonly leafPem: string;
  /** Its private key (never written into the repository). */
  readonly leafKeyPem: string;
  /** The issuing CA, valid for two days. */
  readonly caPem: string;
  /** Leaf followed by the CA: what a fullchain.pem looks like. */
  readonly chainPem: string;
}

/**
 * An ECDSA P-256 CA and a server leaf for `host`, made in `dir` (a temp dir). Expiry is
 * tested by moving the clock past the leaf's one day of validity.
 */
export function makeTestCertificates(dir: string, host = 'www.example.test'): TestCertificates {
  const wb = new OpensslWorkbench(dir);
  const key: TestKeyAlgorithm = { type: 'ec', curve: 'P-256' };
  const ca = wb.issue('ca', { subject: '/CN=Keyless Test CA', key, ca: true, keyUsage: ['keyCertSign'], notAfter: asn1Time(hoursFromNow(48)) });
  const leaf = wb.issue('leaf', {
    subject: `/CN=${host}`, key, issuer: ca, ca: false, keyUsage: [], extendedKeyUsage: ['serverAuth'], dnsNames: [host], notAfter: asn1Time(hoursFromNow(24)),
  });
  return { leafPem: leaf.certPem, leafKeyPem: leaf.keyPem, caPem: ca.certPem, chainPem: leaf.certPem + ca.certPem };
}
