import { createHash } from 'node:crypto';
import { code, plain, text } from '../../lib/markdown';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { Rule } from './engine';
import type { PolicyReport } from './run';
import { parseStackName } from '../../lib/naming';

/**
 * The policy report as SARIF 2.1.0, the format code scanning reads. A finding is about
 * synthesized JSON that is not in the repository, so its location is the env file the
 * stack was built from (what a person edits), with the stack and resource as the
 * logical location; suppressed findings stay in the log with their justification.
 */

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const TOOL_NAME = 'edge-mtls-policy';

/** `APIGW-DOMAIN-MTLS` -> `ApigwDomainMtls`: the opaque-id-friendly name SARIF wants beside the id. */
const ruleName = (id: string) => id.toLowerCase().replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());

export interface SarifOptions {
  /** Repository-relative env file of a stack's environment. @default `envs/<env>.yaml` */
  readonly envFile?: (env: string) => string;
  /** The tool version code scanning shows. @default "1" */
  readonly toolVersion?: string;
}

export function toSarif(report: PolicyReport, rules: readonly Rule[], options: SarifOptions = {}): Log {
  const envFile = options.envFile ?? ((env: string) => `envs/${env}.yaml`);
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
    const env = parseStackName(f.stack)?.environment ?? f.stack;
    return {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId),
      level: 'error',
      // GitHub shows `markdown` where it can: values quoted there go through the one renderer (lib/markdown).
      message: { text: plain(`${f.stack} ${f.address}: ${f.message}. Fix: ${f.fix}`, 2000), markdown: `${code(f.stack, { table: false })} ${code(f.address, { table: false })}: ${text(f.message)}. Fix: ${text(f.fix)}` },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: envFile(env) }, region: { startLine: 1 } },
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
