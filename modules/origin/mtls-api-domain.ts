import { Construct } from 'constructs';
import { ApiGatewayBasePathMapping } from '@cdktf/provider-aws/lib/api-gateway-base-path-mapping';
import { ApiGatewayDomainName } from '@cdktf/provider-aws/lib/api-gateway-domain-name';
import { isHostname } from '../../lib/hostnames';
import type { OriginDomain } from './origin-outputs';
import type { RestApiTarget } from './rest-api';

/** The domain's server certificate and whether ACM issued it. */
export interface DomainServerCertificate {
  /** ACM certificate ARN (issued or imported), in the domain's region. */
  readonly certificateArn: string;
  /**
   * An ACM public certificate for the same name. API Gateway requires one with mTLS
   * whenever the server certificate was imported or comes from a private CA.
   * Must be absent for an ACM-issued public certificate.
   */
  readonly ownershipVerificationCertificateArn?: string;
  /** True when the server certificate was imported into ACM (own CA, Cloudflare Origin CA). */
  readonly imported: boolean;
}

/** The construct id of a hostname's custom domain (and its base path mapping): the hostname, never a list position. */
export const mtlsApiDomainId = (hostname: string): string => `Domain-${hostname}`;

export interface MtlsApiDomainProps {
  readonly domainName: string;
  readonly serverCertificate: DomainServerCertificate;
  /** Truststore `s3://` URI and the S3 version id to pin. */
  readonly truststoreUri: string;
  readonly truststoreVersion: string;
  /** The API stage the domain serves. */
  readonly api: RestApiTarget;
}

/**
 * A regional REST custom domain that only completes handshakes with clients whose
 * certificate chains to the truststore: TLS 1.2 or newer, mutual TLS pinned to a
 * truststore version, the whole domain mapped to one API stage.
 */
export class MtlsApiDomain extends Construct implements OriginDomain {
  readonly domain: ApiGatewayDomainName;
  readonly hostname: string;
  readonly regionalDomainName: string;
  readonly regionalZoneId: string;

  constructor(scope: Construct, id: string, props: MtlsApiDomainProps) {
    super(scope, id);
    if (!isHostname(props.domainName)) throw new Error(`MtlsApiDomain ${id}: "${props.domainName}" is not a DNS name`);
    const { serverCertificate: cert } = props;
    if (cert.imported && !cert.ownershipVerificationCertificateArn) {
      throw new Error(`MtlsApiDomain ${id}: "${props.domainName}" uses an imported server certificate with mTLS, which needs an ownership verification certificate (ACM public, same name)`);
    }
    if (!cert.imported && cert.ownershipVerificationCertificateArn) {
      throw new Error(`MtlsApiDomain ${id}: "${props.domainName}" has an ACM-issued server certificate; an ownership verification certificate is only for imported ones`);
    }
    this.domain = new ApiGatewayDomainName(this, 'Domain', {
      domainName: props.domainName,
      regionalCertificateArn: cert.certificateArn,
      endpointConfiguration: { types: ['REGIONAL'] },
      securityPolicy: 'TLS_1_2',
      // Set at creation: adding mTLS or the ownership certificate to an existing
      // domain can fail (hashicorp/terraform-provider-aws issue 35741).
      mutualTlsAuthentication: { truststoreUri: props.truststoreUri, truststoreVersion: props.truststoreVersion },
      ownershipVerificationCertificateArn: cert.ownershipVerificationCertificateArn,
    });
    new ApiGatewayBasePathMapping(this, 'Mapping', {
      domainName: this.domain.domainName,
      apiId: props.api.restApiId,
      stageName: props.api.stageName,
    });
    this.hostname = props.domainName;
    this.regionalDomainName = this.domain.regionalDomainName;
    this.regionalZoneId = this.domain.regionalZoneId;
  }
}
