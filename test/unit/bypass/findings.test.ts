import { apiFindings, dnsFindings, domainFindings, isExecuteApiName, securityGroupFindings } from '../../../tools/bypass/findings';

const ctx = { environment: 'dev', region: 'eu-west-1', vpcCidr: '10.40.0.0/16', declaredHostnames: ['api.example.com'] };

describe('DNS records that bypass the edge', () => {
  it('catches a CNAME to any execute-api name of the region, whatever its case or trailing dot', () => {
    expect(isExecuteApiName('D-ABC.execute-api.eu-west-1.amazonaws.com.', 'eu-west-1')).toBe(true);
    expect(isExecuteApiName('abc.execute-api.us-east-1.amazonaws.com', 'eu-west-1')).toBe(false);
    expect(isExecuteApiName('d-abc.execute-api.eu-west-1.amazonaws.com.evil.test', 'eu-west-1')).toBe(false);
  });
  it('catches a CNAME to a live custom domain target in another naming, and marks a declared hostname', () => {
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
    const f = apiFindings([{ protocol: 'REST', id: 'r1', name: 'dev-mtls-demo' }, { protocol: 'HTTP', id: 'h1', name: 'rogue', disableExecuteApiEndpoint: false }, { protocol: 'REST', id: 'ok', name: 'x', disableExecuteApiEndpoint: true }], ctx);
    expect(f.map((x) => [x.kind, x.declared])).toEqual([['rest-api-execute-api', true], ['http-api-execute-api', false]]);
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
    expect(f.map((x) => x.resource)).toEqual(['sg-key ingress tcp 22-22 from 0.0.0.0/0', 'sg-key ingress tcp 22-22 from ::/0']);
  });
});
