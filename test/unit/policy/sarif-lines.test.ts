import type { Log, Result } from 'sarif';
import { readFileSync } from 'node:fs';
import { fieldLines } from '../../../envs/field-lines';
import { loadEnvironment } from '../../../envs/load';
import { resolveEnvironments } from '../../../envs/resolve';
import { fromRoot } from '../../../lib/paths';
import { PolicyStack } from '../../../tools/policy/engine';
import { findingOrigins } from '../../../tools/policy/finding-origin';
import { ALL_RULES } from '../../../tools/policy/rules';
import { checkPolicy, policyStacks } from '../../../tools/policy/run';
import { toSarif } from '../../../tools/policy/sarif';
import { synthesizeJson } from '../../../tools/synth/synth-json';
import { fixtureStack, secureBucket } from './fixtures';

// Code scanning shows an alert on the line of the env-file value that caused it. The
// expected lines are found in the committed env files by their text, not by the parser.
const lineOf = (file: string, text: RegExp) => {
  const lines = readFileSync(fromRoot(file), 'utf8').split('\n');
  const index = lines.findIndex((l) => text.test(l));
  if (index < 0 || lines.findIndex((l, i) => i > index && text.test(l)) >= 0) throw new Error(`expected exactly one line of ${file} to match ${text}`);
  return index + 1;
};
const location = (r: Result) => {
  const p = r.locations![0].physicalLocation!;
  return { uri: p.artifactLocation!.uri, line: p.region!.startLine };
};
const only = (log: Log, ruleId: string, address?: RegExp) => {
  const hits = log.runs[0].results!.filter((r) => r.ruleId === ruleId && (!address || address.test(r.locations![0].logicalLocations![0].fullyQualifiedName!)));
  expect(hits).toHaveLength(1);
  return hits[0];
};

describe('SARIF results sit on the env-file line of the value that caused them', () => {
  const { all } = resolveEnvironments(undefined);
  const sarif = (stacks: PolicyStack[]) => toSarif(checkPolicy(stacks), ALL_RULES, { origin: findingOrigins(stacks, all) });

  it('the real local environment: the TLS-only policy the emulator lacks points at aws.endpoint', () => {
    const { stacks, environments } = synthesizeJson('local');
    const checked = policyStacks(stacks, environments);
    const result = only(sarif(checked), 'S3-TLS-ONLY');
    expect(location(result)).toEqual({ uri: 'envs/local.yaml', line: lineOf('envs/local.yaml', /^ {2}endpoint: http:\/\/127\.0\.0\.1:5000$/) });
    expect(location(result).line).toBeGreaterThan(1);
    expect(result.message.text).toMatch(/Env-file field: aws\.endpoint\.$/);
  });

  it('a finding about a hostname points at its entry (the section the rule is about, when it has one)', () => {
    // dev.yaml's hostname has apiShield, so the missing block rule is that section's.
    const log = sarif([new PolicyStack('dev-edge', {}, loadEnvironment('dev').config)]);
    expect(location(only(log, 'CF-API-SHIELD-BLOCK'))).toEqual({ uri: 'envs/dev.yaml', line: lineOf('envs/dev.yaml', /^ {4}apiShield:$/) });
    const record = sarif([fixtureStack('dev-edge', { 'cloudflare_dns_record.r': { type: 'CNAME', name: 'api.dev.example.com', content: 'x.example.net', proxied: false } })]);
    expect(location(only(record, 'CF-DNS-PROXIED'))).toEqual({ uri: 'envs/dev.yaml', line: lineOf('envs/dev.yaml', /^ {2}- name: api\.dev\.example\.com$/) });
  });

  it('a key server finding points at its keyServers entry, found by its private IP', () => {
    const host = new PolicyStack('local-keyless', { resource: { aws_instance: { k: { private_ip: '10.40.2.10', metadata_options: { http_tokens: 'optional' }, root_block_device: { encrypted: true }, associate_public_ip_address: false } } } }, loadEnvironment('local').config);
    expect(location(only(sarif([host]), 'EC2-IMDSV2'))).toEqual({ uri: 'envs/local.yaml', line: lineOf('envs/local.yaml', /^ {4}- name: key-b$/) });
  });

  it('an account stack points at the environment whose value it carries: the state bucket at backend.bucket', () => {
    const state = new PolicyStack('aws-bootstrap-222222222222', { resource: { aws_s3_bucket: { s: { bucket: 'example-edge-mtls-tfstate-prod' } } } });
    expect(location(only(sarif([state]), 'S3-VERSIONING'))).toEqual({ uri: 'envs/prod.yaml', line: lineOf('envs/prod.yaml', /^ {2}bucket: example-edge-mtls-tfstate-prod$/) });
  });

  it('a finding no env-file value caused sits on line 1 of its env file and says why', () => {
    const result = only(sarif([fixtureStack('dev-origin', secureBucket({ 'aws_s3_bucket_versioning.v': undefined }))]), 'S3-VERSIONING');
    expect(location(result)).toEqual({ uri: 'envs/dev.yaml', line: 1 });
    expect(result.message.text).toMatch(/Shown at line 1: no env-file value caused this finding: the construct the fix names builds it so/);
  });
});

describe('fieldLines: the line of a field path in an env file', () => {
  const text = ['name: dev', 'hostnames:', '  - name: a.example.com', '  - name: b.example.com', '    access:', '      anyValidCertificate: true', 'edge:', '  alerts: {}', ''].join('\n');
  const at = fieldLines(text);

  it.each([
    ['name', 1, 'name'],
    ['hostnames', 2, 'hostnames'],
    ['hostnames[1]', 4, 'hostnames[1]'],
    ['hostnames[1].name', 4, 'hostnames[1].name'],
    ['hostnames[1].access', 5, 'hostnames[1].access'],
    ['hostnames[1].access.anyValidCertificate', 6, 'hostnames[1].access.anyValidCertificate'],
    // A default the file does not write: its nearest written ancestor.
    ['edge.minTlsVersion', 7, 'edge'],
    ['hostnames[5].name', 2, 'hostnames'],
  ])('%s is on line %d (%s)', (field, line, found) => {
    expect(at(field)).toEqual({ line, field: found });
  });

  it('a field whose first key is not in the file has no line', () => {
    expect(at('keyless.keyServers[0]')).toBeUndefined();
  });
});
