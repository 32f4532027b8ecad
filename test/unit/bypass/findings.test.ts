import { coversPublicSpace } from '../../../lib/address-space';
import { apiFindings, dnsFindings, domainFindings, isAwsEndpointName, isExecuteApiName, securityGroupFindings } from '../../../tools/bypass/findings';

const ctx = { environment: 'dev', region: 'eu-west-1', vpcCidr: '10.40.0.0/16', declaredHostnames: ['api.example.com'], declaredIds: new Set(['x', 'r1', 'api.example.com']) };

describe('DNS records that bypass the edge', () => {
  it('catches a CNAME to any execute-api name of the region, whatever its case or trailing dot', () => {
    expect(isExecuteApiName('D-ABC.execute-api.eu-west-1.amazonaws.com.', 'eu-west-1')).toBe(true);
    expect(isExecuteApiName('abc.execute-api.us-east-1.amazonaws.com', 'eu-west-1')).toBe(false);
    // Without a region: any region (the sweep covers every one).
    expect(isExecuteApiName('abc.execute-api.us-east-1.amazonaws.com')).toBe(true);
    expect(isExecuteApiName('d-abc.execute-api.eu-west-1.amazonaws.com.evil.test', 'eu-west-1')).toBe(false);
  });
  it('catches A/AAAA records at public addresses of the account and CNAMEs at any AWS endpoint, in any spelling', () => {
    const f = dnsFindings(
      [
        { id: 'a', name: 'a.example.com', type: 'A', content: '198.51.100.7', proxied: false },
        { id: 'b', name: 'b.example.com', type: 'AAAA', content: '2600:1f18:0:0::0:abcd', proxied: false },
        { id: 'c', name: 'c.example.com', type: 'CNAME', content: 'my-lb-1.eu-west-1.elb.amazonaws.com.', proxied: false },
        { id: 'd', name: 'd.example.com', type: 'A', content: '198.51.100.7', proxied: true },
        { id: 'e', name: 'e.example.com', type: 'A', content: '198.51.100.8', proxied: false },
        { id: 'f', name: 'f.example.com', type: 'CNAME', content: '_x.acm-validations.aws.', proxied: false },
      ],
      { ...ctx, accountAddresses: ['198.51.100.7', '2600:1f18::abcd'] },
    );
    expect(f.map((x) => [x.kind, x.resource])).toEqual([
      ['dns-unproxied-account-address', 'dns record a (a.example.com A)'],
      ['dns-unproxied-account-address', 'dns record b (b.example.com AAAA)'],
      ['dns-unproxied-origin', 'dns record c (c.example.com CNAME)'],
    ]);
    expect(isAwsEndpointName('d111111abcdef8.cloudfront.net')).toBe(true);
    expect(isAwsEndpointName('amazonaws.com.evil.test')).toBe(false);
  });
  it('catches a CNAME to a live custom domain target in another naming, and marks a record of the state as ours', () => {
    const f = dnsFindings([{ id: 'x', name: 'api.example.com', type: 'CNAME', content: 'target.elsewhere.test', proxied: false }], ctx, ['target.elsewhere.test']);
    expect(f).toHaveLength(1);
    expect(f[0].declared).toBe(true);
  });
  it('leaves proxied records, addresses outside the VPC and other record types alone', () => {
    expect(
      dnsFindings(
        [
          { id: 'a', name: 'a', type: 'A', content: '10.40.0.1', proxied: true },
          { id: 'b', name: 'b', type: 'A', content: '10.39.255.255', proxied: false },
          { id: 'c', name: 'c', type: 'TXT', content: 'd-abc.execute-api.eu-west-1.amazonaws.com', proxied: false },
        ],
        ctx,
      ),
    ).toEqual([]);
  });
  it('without a keyless VPC, A records are not judged', () => {
    expect(dnsFindings([{ id: 'a', name: 'a', type: 'A', content: '10.40.0.1', proxied: false }], { ...ctx, vpcCidr: undefined })).toEqual([]);
  });
});

describe('API Gateway', () => {
  it('an API whose execute-api endpoint flag is absent counts as enabled (the API default)', () => {
    const f = apiFindings([{ protocol: 'REST', id: 'r1', name: 'rogue' }, { protocol: 'HTTP', id: 'h1', name: 'dev-mtls-demo', disableExecuteApiEndpoint: false }, { protocol: 'REST', id: 'ok', name: 'x', disableExecuteApiEndpoint: true }], ctx);
    // Ours by identity (the id in state), never by the name: `dev-…` is not a claim.
    expect(f.map((x) => [x.kind, x.declared])).toEqual([['rest-api-execute-api', true], ['http-api-execute-api', false]]);
  });
  it('an API in another region is named with its region and its own endpoint', () => {
    const [f] = apiFindings([{ protocol: 'REST', id: 'c1', name: 'copy', region: 'us-west-2' }], ctx);
    expect(f.resource).toBe('REST API c1 (copy) in us-west-2');
    expect(f.why).toContain('https://c1.execute-api.us-west-2.amazonaws.com');
  });
  it('tells our truststore (URI, version, CAs) from a foreign one', () => {
    const truststore = { uri: 's3://ours/truststore.pem', version: 'v2', cas: ['-----BEGIN CERTIFICATE-----\nOURS\n-----END CERTIFICATE-----'] };
    const domain = (d: Partial<Parameters<typeof domainFindings>[0][number]>) => ({ protocol: 'HTTP' as const, domainName: 'd.example.com', securityPolicy: 'TLS_1_2', ...d });
    const kinds = (d: Partial<Parameters<typeof domainFindings>[0][number]>) => domainFindings([domain(d)], { ...ctx, truststore }).map((x) => x.kind);
    expect(kinds({ truststoreUri: 's3://ours/truststore.pem', truststoreVersion: 'v2' })).toEqual([]);
    expect(kinds({ truststoreUri: 's3://ours/truststore.pem', truststoreVersion: 'v1' })).toEqual(['domain-foreign-truststore']);
    expect(kinds({ truststoreUri: 's3://theirs/ca.pem' })).toEqual(['domain-foreign-truststore']);
    // Another object holding exactly our CAs trusts no one else.
    expect(kinds({ truststoreUri: 's3://copy/ca.pem', truststoreCas: ['-----BEGIN CERTIFICATE-----\n OURS \n-----END CERTIFICATE-----'] })).toEqual([]);
    expect(kinds({ truststoreUri: 's3://copy/ca.pem', truststoreCas: [...truststore.cas, '-----BEGIN CERTIFICATE-----\nTHEIRS\n-----END CERTIFICATE-----'] })).toEqual(['domain-foreign-truststore']);
  });
  it('a domain without a trust store and one with an older policy are each findings; a compliant one is not', () => {
    const f = domainFindings(
      [
        { protocol: 'REST', domainName: 'api.example.com', securityPolicy: 'TLS_1_2' },
        { protocol: 'HTTP', domainName: 'old.example.com', securityPolicy: 'TLS_1_0', truststoreUri: 's3://b/k' },
        { protocol: 'REST', domainName: 'good.example.com', securityPolicy: 'TLS_1_2', truststoreUri: 's3://b/k' },
      ],
      ctx,
    );
    expect(f.map((x) => [x.kind, x.resource, x.declared])).toEqual([
      ['domain-without-mtls', 'REST custom domain api.example.com', true],
      ['domain-weak-tls', 'HTTP custom domain old.example.com', false],
    ]);
  });
});

describe('security groups', () => {
  it('flags internet ingress (IPv4 and IPv6) only on groups in scope', () => {
    const scopes = new Map([['sg-key', 'key-server' as const]]);
    const f = securityGroupFindings(
      [
        { groupId: 'sg-key', protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: ['0.0.0.0/0', '10.0.0.0/8'], cidrIpv6: ['::/0'] },
        { groupId: 'sg-other', protocol: '-1', cidrIpv4: ['0.0.0.0/0'], cidrIpv6: [] },
      ],
      scopes,
    );
    expect(f.map((x) => x.resource)).toEqual(['sg-key ingress tcp 22-22 from 0.0.0.0/0 + 10.0.0.0/8', 'sg-key ingress tcp 22-22 from ::/0']);
  });
  it('judges coverage of the public address space, not exact strings: split ranges in one rule or across rules are open', () => {
    const scopes = new Map([['sg-a', 'key-server' as const], ['sg-b', 'keyless-vpc' as const], ['sg-c', 'key-server' as const]]);
    const f = securityGroupFindings(
      [
        { groupId: 'sg-a', protocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: ['0.0.0.0/1', '128.0.0.0/1'], cidrIpv6: [] },
        { groupId: 'sg-b', protocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv4: ['1.0.0.0/8', '2.0.0.0/7', '4.0.0.0/6', '8.0.0.0/7', '11.0.0.0/8', '12.0.0.0/6', '16.0.0.0/4', '32.0.0.0/3', '64.0.0.0/2'], cidrIpv6: [] },
        { groupId: 'sg-b', protocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: ['128.0.0.0/1'], cidrIpv6: [] },
        { groupId: 'sg-c', protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: ['10.0.0.0/8', '192.168.0.0/16'], cidrIpv6: ['2000::/4'] },
      ],
      scopes,
    );
    expect(f.map((x) => x.resource)).toEqual([
      'sg-a ingress tcp 443-443 from 0.0.0.0/1 + 128.0.0.0/1',
      expect.stringMatching(/^sg-b ingress \(2 rules together\) tcp 80-80 from 1\.0\.0\.0\/8 \+ .*; tcp 443-443 from 128\.0\.0\.0\/1$/),
    ]);
  });
  it('coverage: private and reserved blocks need not be listed; one public hole keeps it closed', () => {
    expect(coversPublicSpace(['0.0.0.0/0']).ipv4).toBe(true);
    expect(coversPublicSpace(['0.0.0.0/5', '8.0.0.0/7', '11.0.0.0/8', '12.0.0.0/6', '16.0.0.0/4', '32.0.0.0/3', '64.0.0.0/2', '128.0.0.0/1']).ipv4).toBe(true);
    expect(coversPublicSpace(['0.0.0.0/1', '128.0.0.0/2', '192.0.0.0/3']).ipv4).toBe(true);
    expect(coversPublicSpace(['0.0.0.0/1', '128.0.0.0/2']).ipv4).toBe(false);
    expect(coversPublicSpace(['::/1']).ipv6).toBe(true);
    expect(coversPublicSpace(['2000::/4', '3000::/4']).ipv6).toBe(true);
    expect(coversPublicSpace(['2000::/4']).ipv6).toBe(false);
  });
});
