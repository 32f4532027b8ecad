/**
 * What the AWS origin stack hands to the Cloudflare edge stack: one entry per
 * protected hostname. Values are Terraform expressions (CDKTF tokens).
 */
export interface OriginDomain {
  /** The protected hostname, e.g. `api.example.com` (a literal, known at synth time). */
  readonly hostname: string;
  /** API Gateway's regional target name for the custom domain: the CNAME target of the proxied record. */
  readonly regionalDomainName: string;
  /** Route53 hosted zone id of that regional name (for alias records when DNS is in Route53). */
  readonly regionalZoneId: string;
}

/** The origin's domains keyed by hostname: what the edge stack looks a hostname up in. */
export type OriginDomains = ReadonlyMap<string, OriginDomain>;
