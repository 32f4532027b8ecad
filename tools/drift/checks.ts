import Cloudflare from 'cloudflare';
import { capabilitiesOf } from '../../envs/capabilities';
import type { Environment } from '../../envs/load';
import { parseAccountStackName } from '../../lib/naming';
import { synthesizeJson } from '../synth/synth-json';
import { auditEdge, declaredResources } from './edge-audit';
import { type CheckSection, edgeSection, errorSection, liveSection } from './sections';
import { readStates } from './state';

/**
 * The live checks `npm run drift` runs after its plans, each one section of the drift
 * report with the same exit-code rule (1 could not run, 2 a finding, 0 clean):
 * `live-aws` (tools/drift/live-aws.ts) and `edge-audit` (tools/drift/edge-audit.ts).
 * The bypass check (`--bypass`) writes a report of the same shape, which drift-notify
 * joins into the environment's one issue.
 */

export interface DriftCheckOptions {
  readonly env: string;
  readonly envsDir?: string;
  readonly stateRoot?: string;
  /** Only these stacks' resources. @default every stack of the environment */
  readonly stacks?: readonly string[];
  /** Which checks. @default both */
  readonly only?: ReadonlyArray<'live-aws' | 'edge-audit'>;
  /** Variables (credentials, endpoints); the emulator's credentials for `local`. @default process.env */
  readonly vars?: NodeJS.ProcessEnv;
}

/**
 * The live checks over one environment: synthesizes it (expectations), reads each
 * stack's state (identities), then asks AWS and Cloudflare (live values).
 */
export async function driftChecks(o: DriftCheckOptions): Promise<CheckSection[]> {
  // The SDK warns on every run that releases after January 2027 need Node 22; the pinned
  // SDK supports this project's Node 20, and the warning would clutter stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const vars = { ...process.env, ...o.vars };
  const synthesized = synthesizeJson(o.env, o.envsDir);
  const config: Environment = synthesized.environments[0].config;
  const owner = config.cloudflare.ownsAccountStack;
  const stacks = new Map([...synthesized.stacks].filter(([name]) => (owner || parseAccountStackName(name) === undefined) && (!o.stacks?.length || o.stacks.some((s) => s === name || `${o.env}-${s}` === name))));
  const states = await readStates(stacks, { stateRoot: o.stateRoot });
  const resources = declaredResources(stacks);
  const wanted = o.only ?? ['live-aws', 'edge-audit'];
  const sections: CheckSection[] = [];
  const emulated = capabilitiesOf(config).awsEmulator;
  if (wanted.includes('live-aws')) {
    const endpoint = vars.AWS_ENDPOINT_URL || config.aws.endpoint;
    const credentials = vars.AWS_ACCESS_KEY_ID && vars.AWS_SECRET_ACCESS_KEY ? { accessKeyId: vars.AWS_ACCESS_KEY_ID, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY } : undefined;
    try {
      // Loaded only when wanted: its three AWS SDK clients are most of what `drift --edge` would load.
      const { liveAwsChecks, liveClients } = await import('./live-aws');
      sections.push(liveSection(await liveAwsChecks(resources, states, liveClients(config.aws.region, endpoint, credentials))));
    } catch (e) {
      sections.push(errorSection('live-aws', e));
    }
  }
  if (wanted.includes('edge-audit')) {
    const token = vars.CLOUDFLARE_API_TOKEN;
    if (!token && emulated) {
      sections.push(edgeSection({ environment: o.env, findings: [], checked: [], notes: [], gap: `${o.env} runs on an emulator: its Cloudflare part is not applied and there is no Cloudflare API to read (set CLOUDFLARE_API_TOKEN and CLOUDFLARE_BASE_URL to audit a fake)` }));
    } else if (!token) {
      sections.push(errorSection('edge-audit', new Error('CLOUDFLARE_API_TOKEN is not set; the edge audit needs a read-only token (SSL and Certificates Read, Zone Settings Read, Access: Apps and Policies Read, Account Settings Read)')));
    } else {
      try {
        const client = new Cloudflare({ apiToken: token, baseURL: vars.CLOUDFLARE_BASE_URL || undefined, maxRetries: 1, timeout: 30_000 });
        sections.push(edgeSection(await auditEdge(o.env, resources, { client, accountId: config.cloudflare.accountId, state: states.values })));
      } catch (e) {
        sections.push(errorSection('edge-audit', e));
      }
    }
  }
  return sections;
}
