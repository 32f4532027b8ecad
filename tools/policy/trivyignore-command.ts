import { defineCommand, EXIT } from '../cli';

/**
 * `npm run trivyignore`: writes .trivyignore from the `trivy` section of
 * tools/policy/suppressions.yaml (the one place accepted findings are written down);
 * `--check` only compares, and fails when the committed file differs.
 */
export const trivyignoreCommand = defineCommand({
  name: 'npm run trivyignore',
  summary: 'Writes .trivyignore from the "trivy" section of tools/policy/suppressions.yaml (reason and expiry of each accepted Trivy finding); --check fails instead when the file differs.',
  options: {
    check: { type: 'boolean', doc: 'write nothing; exit 1 when .trivyignore is not what the suppressions file gives' },
  },
  exitCodes: { 1: '.trivyignore differs (--check), or the suppressions file is invalid' },
  async run(args) {
    const { writeFileSync } = await import('node:fs');
    const { trivyignoreStatus, TRIVYIGNORE_FILE } = await import('./trivyignore');
    const { upToDate, expected } = trivyignoreStatus();
    if (upToDate) {
      process.stdout.write('.trivyignore is up to date\n');
      return EXIT.ok;
    }
    if (args.check) {
      process.stderr.write('.trivyignore differs from tools/policy/suppressions.yaml: run `npm run trivyignore` and commit both\n');
      return EXIT.failure;
    }
    writeFileSync(TRIVYIGNORE_FILE, expected);
    process.stdout.write('.trivyignore written from tools/policy/suppressions.yaml\n');
    return EXIT.ok;
  },
});
