import { noRefreshFields, readNoRefreshFacts } from '../../../conformance/no-refresh';
import { readSnapshot } from '../../../conformance/regenerate';
import { PROVIDER_SOURCES } from '../../../conformance/sources';

const MODEL = [
  'package x',
  'type XResultEnvelope struct {',
  '\tResult XModel `json:"result"`',
  '}',
  'type XModel struct {',
  '\tID     types.String `tfsdk:"id" json:"-,computed"`',
  '\tConfig *[]*XConfigModel `tfsdk:"config" json:"config,required,no_refresh"`',
  '\tKey    types.String `tfsdk:"private_key" json:"private_key,computed,no_refresh"`',
  '\tName   types.String `tfsdk:"name" json:"name,optional"`',
  '}',
  'type XConfigModel struct {',
  '\tSecret types.String `tfsdk:"secret" json:"secret,optional,no_refresh"`',
  '}',
].join('\n');

describe('never-re-read facts (no_refresh) of the Cloudflare provider', () => {
  it('reads the no_refresh fields of the resource model, with mode and tag:path:line evidence; nested structs are left out', () => {
    expect(noRefreshFields(MODEL, 'cloudflare_x', 'v1:internal/services/x/model.go')).toEqual([
      { type: 'cloudflare_x', attribute: 'config', mode: 'required', evidence: 'v1:internal/services/x/model.go:7' },
      { type: 'cloudflare_x', attribute: 'private_key', mode: 'computed', evidence: 'v1:internal/services/x/model.go:8' },
    ]);
  });

  it('the committed facts belong to the pinned version and name attributes of the schema snapshot', () => {
    const source = PROVIDER_SOURCES.find((p) => p.provider === 'cloudflare')!;
    const facts = readNoRefreshFacts('cloudflare', source.version);
    const snapshot = readSnapshot('cloudflare', source.version);
    expect(facts.source.tag).toBe(source.tag);
    expect(facts.source.commit).toBe(snapshot.source.commit);
    for (const f of facts.facts) {
      expect(source.resources).toContain(f.type);
      expect(Object.keys(snapshot.resources[f.type].attributes)).toContain(f.attribute);
    }
    expect(facts.facts.map((f) => `${f.type}.${f.attribute}`)).toEqual(expect.arrayContaining(['cloudflare_authenticated_origin_pulls.config', 'cloudflare_certificate_authorities_hostname_associations.mtls_certificate_id', 'cloudflare_zero_trust_access_mtls_hostname_settings.settings']));
  });
});
