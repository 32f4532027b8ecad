import { Construct } from 'constructs';
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { DnsRecord } from '@cdktf/provider-cloudflare/lib/dns-record';
import { isHostname } from '../../lib/hostnames';

/** Where the validation record is written. */
export type ValidationDns = { readonly provider: 'cloudflare'; readonly zoneId: string } | { readonly provider: 'route53'; readonly zoneId: string };

export interface DnsValidatedCertificateProps {
  /** The one name the certificate covers. */
  readonly domainName: string;
  readonly dns: ValidationDns;
}

/**
 * An ACM public certificate for one name, validated through a DNS record in
 * Cloudflare or Route53. `certificateArn` resolves only once ACM has issued it, so
 * whatever uses it waits for validation.
 */
export class DnsValidatedCertificate extends Construct {
  readonly certificate: AcmCertificate;
  readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: DnsValidatedCertificateProps) {
    super(scope, id);
    if (!isHostname(props.domainName)) throw new Error(`DnsValidatedCertificate ${id}: "${props.domainName}" is not a DNS name`);
    this.certificate = new AcmCertificate(this, 'Certificate', {
      domainName: props.domainName,
      validationMethod: 'DNS',
      keyAlgorithm: 'RSA_2048',
      lifecycle: { createBeforeDestroy: true },
    });
    // One name, so exactly one validation option; the set is indexed through tolist().
    const option = (attr: string) => `\${tolist(${this.certificate.fqn}.domain_validation_options)[0].${attr}}`;
    const withoutDot = (attr: string) => `\${trimsuffix(${option(attr).slice(2, -1)}, ".")}`;
    let fqdn: string;
    let record: DnsRecord | Route53Record;
    if (props.dns.provider === 'cloudflare') {
      record = new DnsRecord(this, 'ValidationRecord', {
        zoneId: props.dns.zoneId,
        name: withoutDot('resource_record_name'),
        type: 'CNAME',
        content: withoutDot('resource_record_value'),
        ttl: 60,
        proxied: false,
        comment: 'ACM DNS validation (managed by cdktf)',
      });
      // The name ACM asked for (not the record's attribute), so the validation reads
      // the same whether or not the Cloudflare provider is present (offline checks).
      fqdn = withoutDot('resource_record_name');
    } else {
      record = new Route53Record(this, 'ValidationRecord', {
        zoneId: props.dns.zoneId,
        name: option('resource_record_name'),
        type: option('resource_record_type'),
        records: [option('resource_record_value')],
        ttl: 60,
        allowOverwrite: true,
      });
      fqdn = record.fqdn;
    }
    const validation = new AcmCertificateValidation(this, 'Validation', {
      certificateArn: this.certificate.arn,
      validationRecordFqdns: [fqdn],
      dependsOn: [record],
    });
    this.certificateArn = validation.certificateArn;
  }
}
