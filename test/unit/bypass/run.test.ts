import { resolveEnvironments } from '../../../envs/resolve';
import { BypassUnavailable, clientsFor, identityFromState } from '../../../tools/bypass/run';

describe('bypass run: clients and what is ours', () => {
  it('a real environment without CLOUDFLARE_API_TOKEN cannot run (exit 1); an emulated one reads no Cloudflare (a gap)', () => {
    const dev = resolveEnvironments('dev').selected[0];
    expect(() => clientsFor(dev, {})).toThrow(BypassUnavailable);
    const local = resolveEnvironments('local').selected[0];
    expect(clientsFor(local, {}).cloudflare).toBeUndefined();
  });

  it('ours is what the state holds: ids, domain names and the truststore object (URI, version, CAs)', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----';
    const values = new Map<string, Record<string, unknown>>([
      ['aws_api_gateway_rest_api.DemoApi', { id: 'abc123', name: 'dev-mtls-demo' }],
      ['aws_api_gateway_domain_name.Domain0', { domain_name: 'api.example.com', mutual_tls_authentication: [{ truststore_uri: 's3://b/truststore.pem' }] }],
      ['cloudflare_dns_record.Record', { id: 'rec1' }],
      ['aws_s3_object.Bundle', { bucket: 'b', key: 'truststore.pem', version_id: 'v7', content: `${pem}\n` }],
    ]);
    const id = identityFromState({ values, stackOf: new Map(), unreadable: new Map() });
    expect([...id.declaredIds!].sort()).toEqual(['abc123', 'api.example.com', 'rec1']);
    expect(id.truststore).toEqual({ uri: 's3://b/truststore.pem', version: 'v7', cas: [pem] });
  });
});
