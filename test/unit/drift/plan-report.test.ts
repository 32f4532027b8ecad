import { readFileSync } from 'node:fs';
import { fromRoot } from '../../../lib/paths';
import { actionOf, buildReport, groupOf, renderJson, renderMarkdown, REPORT_SCHEMA_VERSION, SENSITIVE, UNKNOWN, type TerraformPlanJson } from '../../../tools/plan/plan-report';

const fixture = (name: string): TerraformPlanJson => JSON.parse(readFileSync(fromRoot('test', 'fixtures', 'plans', name), 'utf8'));
/** Recorded with `terraform show -json` against moto after suspending versioning and changing a tag (trimmed). */
const recordedDrift = fixture('moto-drift-versioning-and-tag.json');
/** Hand-edited from real output: a replacement, a deletion, a creation and a sensitive update. */
const mixed = fixture('replace-delete-sensitive.json');
/** Recorded against moto after adding SSH from anywhere to the key servers' group (the launch template shows moto's tag echo). */
const sgIngress = fixture('moto-drift-sg-ingress.json');

describe('the plan report', () => {
  it('names each drifted resource and attribute from a recorded moto drift, actual against expected', () => {
    const report = buildReport({ mode: 'drift', env: 'local', awsOnly: true, results: [{ stack: 'local-origin', exitCode: 2, plan: recordedDrift }] });
    const [stack] = report.stacks;
    expect(stack.status).toBe('changes');
    expect(stack.counts).toMatchObject({ create: 0, update: 2, replace: 0, delete: 0 });
    const versioning = stack.changes.find((c) => c.type === 'aws_s3_bucket_versioning')!;
    expect(versioning.attributes).toEqual([{ path: 'versioning_configuration[0]', before: { status: 'Suspended' }, after: { status: 'Enabled' } }]);
    const bucket = stack.changes.find((c) => c.type === 'aws_s3_bucket')!;
    expect(bucket.attributes).toEqual([
      { path: 'tags', before: { Environment: 'tampered' } },
      { path: 'tags_all', before: { Environment: 'tampered' }, after: { Environment: 'local' } },
    ]);
    expect(report.exitCode).toBe(2);
    const md = renderMarkdown(report);
    expect(md).toContain('DRIFT DETECTED');
    expect(md).toContain('| Resource | Action | Attribute | Actual | Expected (code) |');
    expect(md).toMatch(/aws_s3_bucket_versioning\.TruststoreBucket_Versioning_\w+` \| update \| `versioning_configuration\[0\]` \| `\{"status":"Suspended"\}` \| `\{"status":"Enabled"\}`/);
  });

  it('counts replace, delete and create, marks the attribute forcing replacement and ignores reads and no-ops', () => {
    const [stack] = buildReport({ mode: 'plan', env: 'dev', awsOnly: false, results: [{ stack: 'dev-origin', exitCode: 2, plan: mixed }] }).stacks;
    expect(stack.counts).toEqual({ create: 1, update: 1, replace: 1, delete: 1, read: 0, forget: 0 });
    expect(stack.changes.map((c) => [c.address, c.action])).toEqual([
      ['aws_api_gateway_domain_name.Api', 'replace'],
      ['aws_s3_object.Truststore', 'create'],
      ['aws_secretsmanager_secret_version.KeylessToken', 'update'],
      ['aws_security_group_rule.Legacy', 'delete'],
    ]);
    const domain = stack.changes[0];
    expect(domain.attributes).toEqual([
      { path: 'arn', before: 'arn:aws:apigateway:us-east-1::/domainnames/api.example.test', afterUnknown: true },
      { path: 'domain_name', before: 'api.example.test', after: 'api2.example.test', forcesReplacement: true },
    ]);
    expect(stack.outputs).toEqual(['truststore_version']);
  });

  it('masks sensitive values in both renderings: neither the old nor the new secret appears', () => {
    const report = buildReport({ mode: 'plan', env: 'dev', awsOnly: false, results: [{ stack: 'dev-origin', exitCode: 2, plan: mixed }] });
    const secret = report.stacks[0].changes.find((c) => c.type === 'aws_secretsmanager_secret_version')!;
    expect(secret.attributes).toEqual([{ path: 'secret_string', sensitive: true }]);
    for (const text of [renderMarkdown(report), renderJson(report)]) {
      expect(text).not.toContain('old-token-value');
      expect(text).not.toContain('new-token-value');
    }
    expect(renderMarkdown(report)).toContain(`| \`secret_string\` | \`${SENSITIVE}\` | \`${SENSITIVE}\` |`);
    expect(renderMarkdown(report)).toContain(`| \`arn\` | \`"arn:aws:apigateway:us-east-1::/domainnames/api.example.test"\` | \`${UNKNOWN}\` |`);
  });

  it('gives exit 1 when any stack errored, 2 when any changed, 0 otherwise, whatever the order', () => {
    const ok = { stack: 'a', exitCode: 0, plan: { resource_changes: [] } };
    const changed = { stack: 'b', exitCode: 2, plan: mixed };
    const failed = { stack: 'c', exitCode: 1, error: 'Error: AWS account ID not allowed' };
    const exit = (...results: any[]) => buildReport({ mode: 'drift', env: 'dev', awsOnly: false, results }).exitCode;
    expect(exit(ok)).toBe(0);
    expect(exit(ok, changed)).toBe(2);
    expect(exit(changed, ok)).toBe(2);
    expect(exit(failed, changed, ok)).toBe(1);
    expect(exit(changed, failed)).toBe(1);
    const report = buildReport({ mode: 'drift', env: 'dev', awsOnly: false, results: [failed] });
    expect(report.stacks[0]).toMatchObject({ status: 'error', error: 'Error: AWS account ID not allowed' });
    expect(renderMarkdown(report)).toContain('Error: AWS account ID not allowed');
  });

  it('says prominently when only the AWS part was covered, and not otherwise', () => {
    const results = [{ stack: 'a', exitCode: 0, plan: { resource_changes: [] } }];
    expect(renderMarkdown(buildReport({ mode: 'drift', env: 'local', awsOnly: true, results })).split('\n').slice(0, 5).join('\n')).toContain('**AWS part only.**');
    expect(renderMarkdown(buildReport({ mode: 'drift', env: 'local', awsOnly: false, results }))).not.toContain('AWS part only');
  });

  it('escapes table-breaking characters in values', () => {
    const plan: TerraformPlanJson = {
      resource_changes: [
        { address: 'cloudflare_ruleset.Waf', type: 'cloudflare_ruleset', mode: 'managed', change: { actions: ['update'], before: { expression: 'a' }, after: { expression: 'a or (b | c)\nd' } } },
      ],
    };
    const md = renderMarkdown(buildReport({ mode: 'plan', env: 'dev', awsOnly: false, results: [{ stack: 'dev-edge', exitCode: 2, plan }] }));
    const row = md.split('\n').find((l) => l.includes('cloudflare_ruleset.Waf'))!;
    expect(row.split(/(?<!\\)\|/).length).toBe(7);
  });

  it('refuses action lists it does not know rather than misreporting them', () => {
    expect(actionOf(['delete', 'create'])).toBe('replace');
    expect(actionOf(['create', 'delete'])).toBe('replace');
    expect(actionOf(['no-op'])).toBeUndefined();
    expect(() => actionOf(['teleport'])).toThrow('unknown Terraform action list ["teleport"]');
  });
});

describe('masking', () => {
  it('masks a value on both sides when only one side marks it sensitive', () => {
    const plan: TerraformPlanJson = {
      resource_changes: [
        {
          address: 'aws_ssm_parameter.Token',
          type: 'aws_ssm_parameter',
          mode: 'managed',
          change: { actions: ['update'], before: { value: 'was-public', tier: 'Standard' }, after: { value: 'now-secret', tier: 'Advanced' }, before_sensitive: {}, after_sensitive: { value: true } },
        },
      ],
    };
    const report = buildReport({ mode: 'plan', env: 'dev', awsOnly: false, results: [{ stack: 'dev-keyless', exitCode: 2, plan }] });
    expect(report.stacks[0].changes[0].attributes).toEqual([
      { path: 'tier', before: 'Standard', after: 'Advanced' },
      { path: 'value', sensitive: true },
    ]);
    expect(renderJson(report)).not.toMatch(/was-public|now-secret/);
  });
});

describe('known emulator gaps (drift.knownEmulatorGaps of the env file)', () => {
  const gap = { resourceType: 'aws_s3_bucket', attribute: 'tags', reason: 'an emulator that loses bucket tags' };

  it('are listed with their reason and not counted; a stack whose only differences they explain has no changes', () => {
    const onlyTags: TerraformPlanJson = { ...recordedDrift, resource_changes: recordedDrift.resource_changes!.filter((c) => c.type === 'aws_s3_bucket') };
    const tagsAll = { ...gap, attribute: 'tags_all' };
    const report = buildReport({ mode: 'drift', env: 'local', awsOnly: true, results: [{ stack: 'local-origin', exitCode: 2, plan: onlyTags }], knownGaps: [gap, tagsAll] });
    const [stack] = report.stacks;
    expect(stack.status).toBe('no-changes');
    expect(stack.changes).toEqual([]);
    expect(stack.knownGaps.map((g) => g.attribute)).toEqual(['tags', 'tags_all']);
    expect(report.exitCode).toBe(0);
    const md = renderMarkdown(report);
    expect(md).toContain('<details><summary>2 known emulator gaps');
    expect(md.match(/an emulator that loses bucket tags/g)).toHaveLength(2); // tags and tags_all, one row each
  });

  it('explain only the attributes they name: other drift on the same stack still counts', () => {
    const report = buildReport({ mode: 'drift', env: 'local', awsOnly: true, results: [{ stack: 'local-origin', exitCode: 2, plan: recordedDrift }], knownGaps: [gap] });
    const [stack] = report.stacks;
    expect(stack.status).toBe('changes');
    expect(stack.changes.flatMap((c) => c.attributes.map((a) => a.path)).sort()).toEqual(['tags_all', 'versioning_configuration[0]']);
    expect(report.exitCode).toBe(2);
  });

  it('a gap without attribute (a resource type left out of the environment) explains no difference at all', () => {
    const omitted = { resourceType: 'aws_s3_bucket', reason: 'left out of this environment on purpose' };
    const [stack] = buildReport({ mode: 'drift', env: 'local', awsOnly: true, results: [{ stack: 'local-origin', exitCode: 2, plan: recordedDrift }], knownGaps: [omitted] }).stacks;
    expect(stack.status).toBe('changes');
    expect(stack.knownGaps).toEqual([]);
  });

  it('never explain a resource to create or delete', () => {
    const [stack] = buildReport({
      mode: 'plan',
      env: 'dev',
      awsOnly: false,
      results: [{ stack: 'dev-origin', exitCode: 2, plan: mixed }],
      knownGaps: [{ resourceType: 'aws_s3_object', attribute: 'content', reason: 'would hide a whole new object' }, { resourceType: 'aws_security_group_rule', attribute: 'type', reason: 'would hide a deletion' }],
    }).stacks;
    expect(stack.counts).toMatchObject({ create: 1, delete: 1 });
    expect(stack.knownGaps).toEqual([]);
  });
});

describe('reports people can act on', () => {
  const sgReport = (knownGaps = LOCAL_GAPS) =>
    buildReport({
      mode: 'drift',
      env: 'local',
      awsOnly: true,
      knownGaps,
      commit: '0123456789abcdef0123456789abcdef01234567',
      generatedAt: new Date('2026-12-02T01:00:00Z'),
      results: [
        {
          stack: 'local-keyless',
          exitCode: 2,
          plan: sgIngress,
          constructPaths: { 'aws_security_group.KeyServerSecurityGroup_91981080': 'local-keyless/KeyServerSecurityGroup' },
          providers: { 'registry.terraform.io/hashicorp/aws': '5.100.0' },
        },
      ],
    });
  const LOCAL_GAPS = [
    { resourceType: 'aws_launch_template', attribute: 'tag_specifications', reason: 'moto echoes a launch template\'s own tags back' },
    { resourceType: 'aws_launch_template', attribute: 'latest_version', reason: 'follows from the tag echo' },
  ];

  it('shows one added security-group rule as one row, without its empty defaults', () => {
    const [change] = sgReport().stacks[0].changes;
    expect(change.attributes).toEqual([{ path: 'ingress[0]', before: { cidr_blocks: ['0.0.0.0/0'], from_port: 22, protocol: 'tcp', to_port: 22 } }]);
    // description "", ipv6_cidr_blocks [], prefix_list_ids [], security_groups [], self false
    expect(change.hiddenDefaults).toBe(5);
    const rows = renderMarkdown(sgReport()).split('\n').filter((l) => l.includes('KeyServerSecurityGroup_91981080'));
    expect(rows).toEqual([
      '| `aws_security_group.KeyServerSecurityGroup_91981080`<br><sub>local-keyless/KeyServerSecurityGroup</sub> | update (+5 unset ↔ empty default, not shown) | `ingress[0]` | `{"cidr_blocks":["0.0.0.0/0"],"from_port":22,"protocol":"tcp","to_port":22}` | `unset` |',
    ]);
  });

  it('groups leaves per nested block element or map, never across elements', () => {
    expect(['ingress[0].cidr_blocks[0]', 'ingress[1].self', 'tags.Name', 'arn', 'rule[0].apply[0].x'].map(groupOf)).toEqual(['ingress[0]', 'ingress[1]', 'tags', 'arn', 'rule[0]']);
    const plan: TerraformPlanJson = {
      resource_changes: [
        {
          address: 'aws_security_group.G',
          type: 'aws_security_group',
          change: {
            actions: ['update'],
            before: { ingress: [{ from_port: 80, to_port: 80, cidr_blocks: ['10.0.0.0/8'] }, { from_port: 443, to_port: 443, cidr_blocks: ['10.0.0.0/8'] }] },
            after: { ingress: [{ from_port: 80, to_port: 80, cidr_blocks: ['10.0.0.0/8'] }, { from_port: 22, to_port: 22, cidr_blocks: ['0.0.0.0/0'] }] },
          },
        },
      ],
    };
    const [stack] = buildReport({ mode: 'plan', env: 'dev', awsOnly: false, results: [{ stack: 'dev-keyless', exitCode: 2, plan }] }).stacks;
    expect(stack.changes[0].attributes).toEqual([
      { path: 'ingress[1]', before: { 'cidr_blocks[0]': '10.0.0.0/8', from_port: 443, to_port: 443 }, after: { 'cidr_blocks[0]': '0.0.0.0/0', from_port: 22, to_port: 22 } },
    ]);
  });

  it('keeps a change from absent to a value that is not an empty default, and from a value to an empty one', () => {
    const plan: TerraformPlanJson = {
      resource_changes: [
        { address: 'aws_instance.I', type: 'aws_instance', change: { actions: ['update'], before: { source_dest_check: true, user_data: 'x' }, after: { source_dest_check: false, user_data: '', monitoring: false } } },
      ],
    };
    const [change] = buildReport({ mode: 'plan', env: 'dev', awsOnly: false, results: [{ stack: 'dev-keyless', exitCode: 2, plan }] }).stacks[0].changes;
    expect(change.attributes).toEqual([
      { path: 'source_dest_check', before: true, after: false },
      { path: 'user_data', before: 'x', after: '' },
    ]);
    expect(change.hiddenDefaults).toBe(1);
  });

  it('prints the known emulator gaps once, as a count with a collapsed list, after the tables', () => {
    const md = renderMarkdown(sgReport());
    expect(md).toContain('<details><summary>2 known emulator gaps');
    expect(md.indexOf('<details>')).toBeGreaterThan(md.indexOf('| `aws_security_group.'));
    expect(md.match(/moto echoes/g)).toHaveLength(1);
    expect(sgReport().stacks[0].changes.map((c) => c.type)).toEqual(['aws_security_group']);
  });

  it('writes JSON with a schema version, commit, Terraform and provider versions and time, values stored once', () => {
    const json = JSON.parse(renderJson(sgReport()));
    expect(json).toMatchObject({
      schemaVersion: REPORT_SCHEMA_VERSION,
      generatedAt: '2026-12-02T01:00:00.000Z',
      commit: '0123456789abcdef0123456789abcdef01234567',
      terraformVersion: '1.11.4',
      providerVersions: { 'registry.terraform.io/hashicorp/aws': '5.100.0' },
      mode: 'drift',
      env: 'local',
    });
    expect(json.stacks[0].changes[0].attributes[0].before.cidr_blocks).toEqual(['0.0.0.0/0']);
    expect(renderJson(sgReport())).not.toContain('\\"0.0.0.0/0\\"');
    expect(renderMarkdown(sgReport())).toContain('commit `0123456789ab` · Terraform 1.11.4 · hashicorp/aws 5.100.0 · 2026-12-02 01:00 UTC');
  });
});

describe('stacks that only change outputs', () => {
  // What Terraform prints when a new output is added to applied code: exit 2, no resource change.
  const outputsOnly: TerraformPlanJson = {
    resource_changes: [{ address: 'aws_s3_bucket.Truststore', type: 'aws_s3_bucket', mode: 'managed', change: { actions: ['no-op'], before: { bucket: 'b' }, after: { bucket: 'b' } } }],
    output_changes: { truststore_uri: { actions: ['create'] }, truststore_version: { actions: ['no-op'] } },
  };
  const report = (mode: 'plan' | 'drift') => buildReport({ mode, env: 'dev', awsOnly: false, results: [{ stack: 'dev-origin', exitCode: 2, plan: outputsOnly }] });

  it('are listed as such, with zero resource counts', () => {
    const [stack] = report('drift').stacks;
    expect(stack.status).toBe('outputs-only');
    expect(stack.outputs).toEqual(['truststore_uri']);
    expect(Object.values(stack.counts).every((n) => n === 0)).toBe(true);
    expect(renderMarkdown(report('drift'))).toContain('Outputs changing (outputs only: no resource changes; not drift): `truststore_uri`');
    expect(renderMarkdown(report('drift'))).toContain('| `dev-origin` | outputs only | 0 | 0 | 0 | 0 |');
  });

  it('are never drift (exit 0), but are pending work for plan (exit 2: apply writes the new outputs)', () => {
    expect(report('drift').exitCode).toBe(0);
    expect(renderMarkdown(report('drift'))).toMatch(/^## Drift report: `dev` — no changes$/m);
    expect(report('plan').exitCode).toBe(2);
  });

  it('an output change next to a resource change is an ordinary change', () => {
    const withResource = { ...outputsOnly, resource_changes: [{ address: 'aws_s3_bucket.Truststore', type: 'aws_s3_bucket', mode: 'managed' as const, change: { actions: ['update'], before: { bucket: 'b', tags: {} }, after: { bucket: 'b', tags: { a: '1' } } } }] };
    const [stack] = buildReport({ mode: 'drift', env: 'dev', awsOnly: false, results: [{ stack: 'dev-origin', exitCode: 2, plan: withResource }] }).stacks;
    expect(stack.status).toBe('changes');
  });
});

describe('stacks waiting for something that does not exist yet', () => {
  const results = [
    { stack: 'dev-pki', exitCode: 2, plan: { resource_changes: [] } },
    { stack: 'dev-origin', exitCode: 0, waitingFor: 'waiting for dev-pki: not applied yet' },
  ];

  it('are reported per stack with the reason, and make the verdict "changes pending" (exit 2), not an error', () => {
    const report = buildReport({ mode: 'plan', env: 'dev', awsOnly: false, results });
    expect(report.stacks.find((s) => s.stack === 'dev-origin')).toMatchObject({ status: 'waiting', waitingFor: 'waiting for dev-pki: not applied yet' });
    expect(report.stacks.some((s) => s.error)).toBe(false);
    expect(report.exitCode).toBe(2);
    const md = renderMarkdown(report);
    expect(md).toContain('| `dev-origin` | WAITING (waiting for dev-pki: not applied yet) | 0 | 0 | 0 | 0 |');
    expect(md).toContain('Not planned: waiting for dev-pki: not applied yet.');
    expect(md).not.toContain('ERROR');
  });

  it('in a drift run say "not applied yet" rather than drift', () => {
    const report = buildReport({ mode: 'drift', env: 'dev', awsOnly: false, results: [results[1]] });
    expect(report.exitCode).toBe(2);
    expect(renderMarkdown(report)).toMatch(/^## Drift report: `dev` — not applied yet$/m);
  });
});
