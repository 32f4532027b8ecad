import { readFileSync } from 'node:fs';
import { createSourceFile, forEachChild, isBindingElement, isElementAccessExpression, isIdentifier, isObjectBindingPattern, isPropertyAccessExpression, isStringLiteralLike, type Node, ScriptTarget } from 'typescript';
import { fromRoot } from '../../lib/paths';
import { importsOf, sourceFiles } from './imports';

/** Property names that only the drift settings of an env file carry. */
const DRIFT_NAMES = new Set(['drift', 'knownEmulatorGaps']);

/** The drift settings' schema file: importing it is reading them. */
const DRIFT_SCHEMA = 'envs/schema/drift';

/**
 * Every place a source text reads the drift settings of an env file, as "file:line
 * reads <what>": a property access (`config.drift`, `env['drift']`, `x.knownEmulatorGaps`),
 * a destructuring (`const { drift } = config`) or an import of the drift schema. Found on
 * the syntax tree, so comments and strings (a module saying "drift") do not count.
 */
export function driftReads(file: string, text: string): string[] {
  const source = createSourceFile(file, text, ScriptTarget.Latest, true);
  const hits: string[] = [];
  const hit = (node: Node, what: string) => hits.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1} reads ${what}`);
  const visit = (node: Node): void => {
    if (isPropertyAccessExpression(node) && DRIFT_NAMES.has(node.name.text)) hit(node, node.getText(source));
    else if (isElementAccessExpression(node) && isStringLiteralLike(node.argumentExpression) && DRIFT_NAMES.has(node.argumentExpression.text)) hit(node, node.getText(source));
    else if (isBindingElement(node) && isObjectBindingPattern(node.parent)) {
      const key = node.propertyName ?? node.name;
      if (isIdentifier(key) && DRIFT_NAMES.has(key.text)) hit(node, `{ ${node.getText(source)} } (destructured)`);
    }
    forEachChild(node, visit);
  };
  visit(source);
  for (const edge of importsOf(file, text)) if (edge.target?.replace(/\.[cm]?[jt]s$/, '') === DRIFT_SCHEMA) hits.push(`${edge.file}:${edge.line} reads the drift schema (imports ${edge.specifier})`);
  return hits.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

/** `driftReads` over every source file of the given folders. */
export function repositoryDriftReads(under: readonly string[]): string[] {
  return sourceFiles(under).flatMap((file) => driftReads(file, readFileSync(fromRoot(file), 'utf8')));
}
