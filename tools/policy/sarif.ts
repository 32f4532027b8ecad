import { createHash } from 'node:crypto';
import { code, plain, text } from '../../lib/markdown';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { Finding, Rule } from './engine';
import type { FindingOrigin } from './finding-origin';
import type { PolicyReport } from './run';
import { parseStackName } from '../../lib/naming';

/**
 * The policy report as SARIF 2.1.0, the format code scanning reads. A finding is about
 * synthesized JSON that is not in the repository, so its location is the line of the
 * env-file value that caused it (tools/policy/finding-origin.ts; what a person edits),
 * with the stack and resource as the logical location; suppressed findings stay in the
 * log with their justification.
 */

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const TOOL_NAME = 'edge-mtls-policy';

/** `APIGW-DOMAIN-MTLS` -> `ApigwDomainMtls`: the opaque-id-friendly name SARIF wants beside the id. */
const ruleName = (id: string) => id.toLowerCase().replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());

export interface SarifOptions {
  /**
   * Where each finding points (findingOrigins of tools/policy/finding-origin.ts).
   * @default line 1 of `envs/<env>.yaml`, saying the env files were not read
   */
  readonly origin?: (finding: Finding) => FindingOrigin;
  /** The tool version code scanning shows. @default "1" */
  readonly toolVersion?: string;
}

export function toSarif(report: PolicyReport, rules: readonly Rule[], options: SarifOptions = {}): Log {
  const origin =
    options.origin ??
    ((f: Finding): FindingOrigin => ({ uri: `envs/${parseStackName(f.stack)?.environment ?? f.stack}.yaml`, line: 1, reason: 'the env files were not read, so the line of the value behind it is unknown' }));
  const descriptors: ReportingDescriptor[] = rules.map((r) => ({
    id: r.id,
    name: ruleName(r.id),
    shortDescription: { text: r.description },
    fullDescription: { text: r.description },
    help: { text: `Fix: ${r.fix}`, markdown: `**Fix:** ${r.fix}` },
    defaultConfiguration: { level: 'error' },
    properties: { tags: ['security', 'terraform', 'cdktf'], precision: 'high', 'security-severity': '8.0' },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results: Result[] = report.findings.map((f) => {
    const at = origin(f);
    // Code scanning shows the message: it names the field, or says why there is none.
    const where = at.field !== undefined ? `Env-file field: ${at.field}.` : `Shown at line 1: ${at.reason}.`;
    return {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId),
      level: 'error',
      // GitHub shows `markdown` where it can: values quoted there go through the one renderer (lib/markdown).
      message: {
        text: plain(`${f.stack} ${f.address}: ${f.message}. Fix: ${f.fix} ${where}`, 2000),
        markdown: `${code(f.stack, { table: false })} ${code(f.address, { table: false })}: ${text(f.message)}. Fix: ${text(f.fix)} ${text(where)}`,
      },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: at.uri }, region: { startLine: at.line } },
          logicalLocations: [{ fullyQualifiedName: `${f.stack}/${f.address}`, name: f.address, kind: 'resource' }],
        },
      ],
      // Stable across runs and line moves: the same finding on the same resource.
      partialFingerprints: { 'edgeMtlsFinding/v1': createHash('sha256').update(`${f.stack}/${f.address}/${f.ruleId}/${f.message}`).digest('hex') },
      ...(f.suppressedBy ? { suppressions: [{ kind: 'external' as const, status: 'accepted' as const, justification: `${f.suppressedBy.reason} (until ${f.suppressedBy.expires})` }] } : {}),
    };
  });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, version: options.toolVersion ?? '1', rules: descriptors } },
        results,
      },
    ],
  };
}
