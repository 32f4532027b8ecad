import { readFileSync } from 'node:fs';
import { fromRoot } from '../../../lib/paths';
import { importsOf, sourceFiles } from '../../support/imports';

// One home per command: a command is defined in a `command.ts` (or `<name>-command.ts`)
// under tools/, and scripts/<name>.ts is only its entry point, so there is one place to
// read a command and one shape of entry. test/integration/cli/scripts.test.ts spawns the
// entries; this reads them.

/** Entries not yet in this shape, with the reason; each should follow later. */
const NOT_YET: Readonly<Record<string, string>> = {};

const COMMAND_MODULE = /^\.\.\/tools\/[a-z-]+\/(?:[a-z-]+-)?command$/;
const RUN_LINE = /^void (?:runCommand\((\w+)(?:\([^()]*\))?\)|runEntry\('npm run [a-z:-]+', (\w+)\));$/;

/** What keeps `text` (the file `file` of scripts/) from being a bare entry point; empty when it is one. */
function entryPointProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  const specifiers = importsOf(file, text).map((i) => i.specifier);
  const commandModules = specifiers.filter((s) => COMMAND_MODULE.test(s));
  const others = specifiers.filter((s) => s !== '../tools/cli' && !COMMAND_MODULE.test(s));
  if (commandModules.length !== 1) problems.push(`imports ${commandModules.length} command modules (tools/<name>/command.ts), not 1`);
  if (others.length > 0) problems.push(`imports ${others.join(', ')} besides tools/cli and its command module`);
  const code = text
    .replace(/^import [^;]+;$/gm, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const run = code.length === 1 ? RUN_LINE.exec(code[0]) : null;
  if (!run) problems.push(`holds ${JSON.stringify(code.join(' ').slice(0, 80))} instead of one "void runCommand(<command>);" line`);
  else if (!new RegExp(`^import \\{ [^}]*\\b${run[1] ?? run[2]}\\b[^}]* \\} from '${commandModules[0]}';$`, 'm').test(text)) {
    problems.push(`runs ${run[1] ?? run[2]}, which is not imported from its command module`);
  }
  return problems;
}

describe('scripts/ holds only entry points', () => {
  const entries = sourceFiles(['scripts']).filter((f) => f.endsWith('.ts'));

  it.each(entries.filter((f) => !(f in NOT_YET)))('%s runs one command defined under tools/', (file) => {
    expect(entryPointProblems(file, readFileSync(fromRoot(file), 'utf8'))).toEqual([]);
  });

  it('leaves out only the entries named with a reason, which still exist', () => {
    expect(entries.length).toBeGreaterThan(10);
    expect(Object.keys(NOT_YET).filter((f) => !entries.includes(f))).toEqual([]);
  });

  it('no source outside tools/**/command.ts and tools/**/*-command.ts defines a command', () => {
    const defining = sourceFiles(['main.ts', 'scripts', 'tools', 'stacks', 'modules', 'providers', 'envs', 'lib'])
      .filter((f) => !(f in NOT_YET) && f !== 'tools/cli.ts')
      .filter((f) => /\bdefineCommand\(/.test(readFileSync(fromRoot(f), 'utf8')));
    expect(defining.length).toBeGreaterThan(10);
    expect(defining.filter((f) => !/^tools\/[a-z-]+\/(?:[a-z-]+-)?command\.ts$/.test(f))).toEqual([]);
  });
});

describe('the entry-point check', () => {
  const entry = (body: string) => `import { runCommand } from '../tools/cli';\nimport { reviewCommand } from '../tools/review/command';\n\n${body}\n`;

  it('accepts the one shape, for a command, a command factory and a dispatcher', () => {
    expect(entryPointProblems('scripts/review.ts', entry('void runCommand(reviewCommand);'))).toEqual([]);
    expect(entryPointProblems('scripts/plan.ts', "import { runCommand } from '../tools/cli';\nimport { planCommand } from '../tools/plan/command';\n\nvoid runCommand(planCommand('plan'));\n")).toEqual([]);
    expect(entryPointProblems('scripts/apply.ts', "import { runCommand } from '../tools/cli';\nimport { applyCommand } from '../tools/plan/apply-command';\n\nvoid runCommand(applyCommand);\n")).toEqual([]);
    expect(entryPointProblems('scripts/local.ts', "import { runEntry } from '../tools/cli';\nimport { runLocal } from '../tools/local/command';\n\nvoid runEntry('npm run local', runLocal);\n")).toEqual([]);
  });

  it.each([
    [
      'a command defined inline',
      "import { defineCommand, EXIT, runCommand } from '../tools/cli';\n\nconst review = defineCommand({\n  name: 'npm run review',\n  run: () => EXIT.ok,\n});\n\nvoid runCommand(review);\n",
      /imports 0 command modules/,
    ],
    ['an import of a tool beside the command module', `import { fromRoot } from '../lib/paths';\n${entry('void runCommand(reviewCommand);')}`, /imports \.\.\/lib\/paths besides/],
    ['code besides the run line', entry("process.env.X = '1';\nvoid runCommand(reviewCommand);"), /instead of one "void runCommand/],
    ['a command from somewhere else', entry('void runCommand(otherCommand);'), /runs otherCommand, which is not imported/],
    ['a module that is no command module', "import { runCommand } from '../tools/cli';\nimport { review } from '../tools/review/review';\n\nvoid runCommand(review);\n", /imports 0 command modules/],
  ])('refuses %s', (_, text, problem) => {
    expect(entryPointProblems('scripts/x.ts', text)).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });
});
