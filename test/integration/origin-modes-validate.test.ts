import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AWS_PROVIDER } from '../../lib/providers';
import { terraformUnavailableReason } from '../../tools/terraform';
import { validateStacks } from '../../tools/validate/validate';
import { baseEnvironment, envDir, withField } from '../support/env-files';
import { synthStacks } from '../support/synth';
import { describeUnless } from '../support/skip';

const describeTerraform = describeUnless(terraformUnavailableReason(), 'terraform validate of the origin modes');

/** The repository's env files use the default modes; the others must be valid AWS too. */
describeTerraform(`every origin mode passes terraform validate (AWS provider ${AWS_PROVIDER.version})`, () => {
  const variants: Record<string, Record<string, unknown>> = {
    'own-ca': { serverCertificate: 'imported-own-ca' },
    'origin-ca': { serverCertificate: 'cloudflare-origin-ca' },
    route53: { dnsProvider: 'route53', route53ZoneId: 'Z0123456789ABCDEFGHIJ' },
    'existing-api': { restApi: { id: 'abcde12345', stageName: 'prod' } },
  };

  it('imported-own-ca, cloudflare-origin-ca, route53 validation records, an existing REST API', async () => {
    const stacks = Object.entries(variants).map(([variant, origin]) => {
      const dir = envDir({ dev: withField(baseEnvironment('dev'), 'origin', origin) });
      try {
        return { name: `dev-origin-${variant}`, json: synthStacks('dev', dir).get('dev-origin')! };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
    const work = mkdtempSync(join(tmpdir(), 'edge-origin-modes-'));
    try {
      const result = await validateStacks(stacks, work);
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(result.ok).toBe(true);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
