import type { Log } from 'sarif';
import { existsSync } from 'node:fs';
import { fromRoot } from '../../../lib/paths';
import { ALL_RULES } from '../../../tools/policy/rules';
import { checkPolicy } from '../../../tools/policy/run';
import { toSarif } from '../../../tools/policy/sarif';
import { fixtureStack, secureBucket } from './fixtures';

/**
 * What GitHub code scanning requires of an uploaded SARIF file: version 2.1.0, a tool
 * driver name, rules with ids and descriptions, and per result a rule id, a message
 * and a physical location whose URI is a repository file and whose line is at least 1.
 */
function codeScanningProblems(log: Log): string[] {
  const problems: string[] = [];
  if (log.version !== '2.1.0') problems.push(`version ${log.version}`);
  if (!log.$schema?.includes('sarif')) problems.push('no $schema');
  for (const run of log.runs ?? []) {
    if (!run.tool?.driver?.name) problems.push('no tool.driver.name');
    const ids = new Set((run.tool.driver.rules ?? []).map((r) => r.id));
    for (const r of run.tool.driver.rules ?? []) if (!r.id || !r.shortDescription?.text || !r.help?.text) problems.push(`rule ${r.id} lacks id/shortDescription/help`);
    for (const res of run.results ?? []) {
      if (!res.ruleId || !ids.has(res.ruleId)) problems.push(`result with unknown rule ${res.ruleId}`);
      if (!res.message?.text) problems.push('result without message.text');
      const loc = res.locations?.[0]?.physicalLocation;
      const uri = loc?.artifactLocation?.uri;
      if (!uri || uri.startsWith('/') || uri.includes('..')) problems.push(`result location ${uri} is not repository-relative`);
      else if (!existsSync(fromRoot(uri))) problems.push(`result location ${uri} is not a file of the repository`);
      if (!loc?.region?.startLine || loc.region.startLine < 1) problems.push('result without a region.startLine >= 1');
      if (!res.partialFingerprints || Object.keys(res.partialFingerprints).length === 0) problems.push('result without partialFingerprints');
    }
  }
  return problems;
}

describe('policy findings as SARIF for code scanning', () => {
  const insecure = fixtureStack('dev-origin', secureBucket({ 'aws_s3_bucket_versioning.v': undefined, 'aws_s3_bucket_logging.log': undefined }));
  // The local environment's accepted finding (S3-TLS-ONLY on local-origin, tools/policy/suppressions.yaml).
  const emulated = fixtureStack('local-origin', secureBucket({ 'aws_s3_bucket_policy.tls': { bucket: '${aws_s3_bucket.b.id}', policy: '{}' } }));
  const report = checkPolicy([insecure, emulated]);
  const log = toSarif(report, ALL_RULES);

  it('has every field code scanning requires, for every rule and finding', () => {
    expect(report.findings.length).toBeGreaterThan(0);
    expect(codeScanningProblems(log)).toEqual([]);
  });

  it('points each finding at the env file of its stack and names the resource', () => {
    const versioning = log.runs[0].results!.find((r) => r.ruleId === 'S3-VERSIONING')!;
    expect(versioning.locations![0].physicalLocation!.artifactLocation!.uri).toBe('envs/dev.yaml');
    expect(versioning.locations![0].logicalLocations![0].fullyQualifiedName).toBe('dev-origin/aws_s3_bucket.b');
    expect(versioning.message.text).toMatch(/^dev-origin aws_s3_bucket\.b: no aws_s3_bucket_versioning refers to this bucket\. Fix: .*HardenedBucket/);
  });

  it('keeps suppressed findings, marked with their justification, and fingerprints stable across runs', () => {
    const again = toSarif(checkPolicy([insecure, emulated]), ALL_RULES);
    expect(again.runs[0].results!.map((r) => r.partialFingerprints)).toEqual(log.runs[0].results!.map((r) => r.partialFingerprints));
    const suppressed = log.runs[0].results!.filter((r) => r.suppressions?.length);
    // The TLS-only suppression covers local-origin buckets until it expires.
    expect(suppressed.map((r) => r.ruleId)).toEqual(['S3-TLS-ONLY']);
    expect(suppressed[0].suppressions![0]).toMatchObject({ kind: 'external', justification: expect.stringMatching(/until \d{4}-\d{2}-\d{2}\)$/) });
  });

  it('fails the check on a log that lacks them (the checker above can fail)', () => {
    const broken = structuredClone(log) as any;
    broken.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = '/tmp/x.json';
    delete broken.runs[0].tool.driver.name;
    expect(codeScanningProblems(broken)).toEqual(expect.arrayContaining(['no tool.driver.name', 'result location /tmp/x.json is not repository-relative']));
  });

  it('fix hints name a construct prop or an env-file field, never HCL syntax', () => {
    for (const rule of ALL_RULES) {
      expect({ id: rule.id, hcl: /\w+ \{|= "|= true|= \[/.test(rule.fix) }).toEqual({ id: rule.id, hcl: false });
      expect({ id: rule.id, names: /modules\/\w+\/[\w-]+\.ts|envs\/<env>\.yaml|tools\/policy/.test(rule.fix) }).toEqual({ id: rule.id, names: true });
    }
  });
});
