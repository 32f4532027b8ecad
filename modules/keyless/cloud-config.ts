import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { fromRoot } from '../../lib/paths';

/** One `write_files` entry of cloud-config. */
export interface CloudConfigFile {
  readonly path: string;
  readonly content: string;
  /** Octal mode as cloud-init wants it, e.g. `0600`. */
  readonly permissions: `0${number}`;
  /** `user:group`; the user must exist when cloud-init writes the file. @default "root:root" */
  readonly owner?: string;
}

/**
 * The subset of cloud-config this project emits. Debian's cloud-init 22.4 schema
 * check accepts unknown top-level keys, so the keys are pinned here by type and
 * again in a test.
 */
export interface CloudConfig {
  readonly write_files: readonly CloudConfigFile[];
  /** Commands run once at first boot, each as an argv list (no shell parsing). */
  readonly runcmd: ReadonlyArray<readonly string[]>;
}

/** Where boot scripts are installed on a host. */
export const BOOT_LIBEXEC = '/usr/local/libexec/keyless';

export const CLOUD_CONFIG_KEYS: ReadonlyArray<keyof CloudConfig> = ['write_files', 'runcmd'];

/** Serializes a cloud-config document, with the header cloud-init needs to recognise it. */
export function renderCloudConfig(config: CloudConfig): string {
  const doc = {
    write_files: config.write_files.map((f) => ({ path: f.path, owner: f.owner ?? 'root:root', permissions: f.permissions, content: f.content })),
    runcmd: config.runcmd.map((argv) => [...argv]),
  };
  return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}

/**
 * Escapes text so Terraform passes it through unchanged: a shell script's `${VAR}` would
 * otherwise be read as a Terraform interpolation (and `%{` as a template directive).
 */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** A boot script from `modules/keyless/boot/`, read at synth time so the repository file is what runs. */
export function bootScript(name: string, installDir: string): CloudConfigFile {
  const script = readFileSync(fromRoot('modules', 'keyless', 'boot', name), 'utf8');
  return { path: `${installDir}/${name}`, content: terraformLiteral(script), permissions: '0755' };
}

/** `KEY=value` lines for a shell env file; values are single-quoted. */
export function shellEnvFile(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .map(([k, v]) => {
      if (!/^[A-Z][A-Z0-9_]*$/.test(k)) throw new Error(`shellEnvFile: "${k}" is not an upper-case shell variable name`);
      return `${k}='${v.replace(/'/g, `'\\''`)}'`;
    })
    .join('\n')
    .concat('\n');
}
