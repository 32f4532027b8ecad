// TEMP-STUB: this whole file stands in for the PKI and origin stacks until they land.
import { TerraformVariable } from 'cdktf'; // TEMP-STUB
import type { Construct } from 'constructs'; // TEMP-STUB
import type { OriginDomain } from '../modules/origin-outputs'; // TEMP-STUB
import type { PkiOutputs } from '../modules/pki/outputs'; // TEMP-STUB
import { EnvStack, EnvStackProps } from './env-stack'; // TEMP-STUB
// TEMP-STUB: every value is a Terraform variable reference (keys sensitive), never a PEM literal.
export class TemporaryUpstreamStub extends EnvStack { // TEMP-STUB
  readonly pki: PkiOutputs; // TEMP-STUB
  readonly originDomains: readonly OriginDomain[]; // TEMP-STUB
  constructor(scope: Construct, props: EnvStackProps) { // TEMP-STUB
    super(scope, 'pki', props); // TEMP-STUB
    const pem = (id: string, sensitive = false) => new TerraformVariable(this, id, { type: 'string', sensitive, description: 'TEMP-STUB' }).stringValue; // TEMP-STUB
    this.pki = { // TEMP-STUB
      truststorePem: pem('temp_stub_truststore_pem'), // TEMP-STUB
      clientCaPem: pem('temp_stub_client_ca_pem'), // TEMP-STUB
      originPullClient: { certificatePem: pem('temp_stub_origin_pull_certificate_pem'), privateKeyPem: pem('temp_stub_origin_pull_private_key_pem', true) }, // TEMP-STUB
      clientCertificates: {}, // TEMP-STUB
    }; // TEMP-STUB
    this.originDomains = props.env.config.hostnames.map((h, i) => ({ // TEMP-STUB
      hostname: h.name, // TEMP-STUB
      regionalDomainName: pem(`temp_stub_regional_domain_name_${i}`), // TEMP-STUB
      regionalZoneId: pem(`temp_stub_regional_zone_id_${i}`), // TEMP-STUB
    })); // TEMP-STUB
  } // TEMP-STUB
} // TEMP-STUB
