import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localStateFile, terraformReadyStack } from '../../../tools/plan/plan-runner';
import { scratchDir } from '../../support/scratch';

describe('a stack as plan/drift run it', () => {
  const consumer = {
    terraform: { backend: { local: { path: 'terraform-state/local/local-edge.tfstate' } }, required_providers: { aws: {}, cloudflare: {} } },
    provider: { aws: [{}], cloudflare: [{}] },
    data: {
      terraform_remote_state: {
        'cross-stack-reference-input-local-origin': { backend: 'local', config: { path: 'terraform-state/local/local-origin.tfstate' }, workspace: '${terraform.workspace}' },
      },
    },
    resource: { cloudflare_dns_record: { Api: { name: 'api' } }, aws_s3_bucket: { B: { bucket_prefix: 'x-' } } },
  };

  it('anchors local state and the remote state it reads at one root, so stacks find each other', () => {
    const json = terraformReadyStack(consumer, { awsOnly: false, stateRoot: '/srv/state' });
    expect(json.terraform.backend.local.path).toBe('/srv/state/terraform-state/local/local-edge.tfstate');
    expect(json.data.terraform_remote_state['cross-stack-reference-input-local-origin'].config.path).toBe('/srv/state/terraform-state/local/local-origin.tfstate');
    expect(Object.keys(json.resource)).toEqual(['cloudflare_dns_record', 'aws_s3_bucket']);
    expect(consumer.terraform.backend.local.path).toBe('terraform-state/local/local-edge.tfstate');
  });

  it('keeps the backend in the AWS-only projection (Terraform implements it, no provider needed)', () => {
    const json = terraformReadyStack(consumer, { awsOnly: true, stateRoot: '/srv/state' });
    expect(Object.keys(json.resource)).toEqual(['aws_s3_bucket']);
    expect(Object.keys(json.provider)).toEqual(['aws']);
    expect(json.terraform.backend.local.path).toBe('/srv/state/terraform-state/local/local-edge.tfstate');
    const s3 = terraformReadyStack({ terraform: { backend: { s3: { bucket: 'state', key: 'k' } } } }, { awsOnly: true, stateRoot: '/x' });
    expect(s3.terraform.backend).toEqual({ s3: { bucket: 'state', key: 'k' } });
  });

  it('names the state file a plan reads to tell whether the stack was applied: a local backend in the default workspace only, anything else asks terraform state pull', () => {
    const dir = scratchDir('edge-ready-');
    try {
      const write = (json: object) => writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json));
      write(terraformReadyStack(consumer, { awsOnly: true, stateRoot: '/srv/state' }));
      expect(localStateFile({ dir }, {})).toBe('/srv/state/terraform-state/local/local-edge.tfstate');
      expect(localStateFile({ dir }, { TF_WORKSPACE: 'default' })).toBe('/srv/state/terraform-state/local/local-edge.tfstate');
      expect(localStateFile({ dir }, { TF_WORKSPACE: 'blue' })).toBeUndefined();
      mkdirSync(join(dir, '.terraform'));
      writeFileSync(join(dir, '.terraform', 'environment'), 'green');
      expect(localStateFile({ dir }, {})).toBeUndefined();
      rmSync(join(dir, '.terraform', 'environment'));
      write({ terraform: { backend: { s3: { bucket: 'state', key: 'k' } } } });
      expect(localStateFile({ dir }, {})).toBeUndefined();
      write({ terraform: { backend: { local: { path: 'relative.tfstate' } } } });
      expect(localStateFile({ dir }, {})).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
