import type { IConstruct } from 'constructs';
import { TerraformResource, type TerraformStack } from 'cdktf';
import { makeUniqueId } from 'cdktf/lib/private/unique';

/**
 * `moved` blocks: how a stack tells Terraform that a resource already in state now has
 * another address, so a renamed construct is moved, not destroyed and created.
 *
 * Any stack may collect moves from several places (this module keeps them per stack and
 * writes them once, as the stack's top-level `moved` list); each is a pair of Terraform
 * addresses. A move whose `from` is not in state is ignored by Terraform, so a list of
 * moves is safe to keep for one release after the state it was written for is gone.
 */
export interface Move {
  /** The address the previous code produced, e.g. `aws_api_gateway_domain_name.Domain0_Domain_B12AF92A`. */
  readonly from: string;
  /** The address the current code produces. */
  readonly to: string;
}

const ADDRESS = /^[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*$/;
const movesOf = new WeakMap<TerraformStack, Move[]>();

/** Adds moves to a stack's `moved` list (kept with the ones added before). */
export function addMoves(stack: TerraformStack, moves: readonly Move[]): void {
  if (moves.length === 0) return;
  const all = movesOf.get(stack) ?? [];
  for (const m of moves) {
    for (const address of [m.from, m.to]) if (!ADDRESS.test(address)) throw new Error(`moved: "${address}" is not a resource address (<type>.<name>)`);
    if (m.from === m.to) throw new Error(`moved: ${m.from} is moved to itself`);
    if (m.from.split('.')[0] !== m.to.split('.')[0]) throw new Error(`moved: ${m.from} -> ${m.to} changes the resource type`);
    const clash = all.find((o) => o.from === m.from || o.to === m.to);
    if (clash && (clash.from !== m.from || clash.to !== m.to)) throw new Error(`moved: ${m.from} -> ${m.to} clashes with ${clash.from} -> ${clash.to}`);
    if (!clash) all.push({ from: m.from, to: m.to });
  }
  movesOf.set(stack, all);
  stack.addOverride('moved', all.map((m) => ({ from: m.from, to: m.to })));
}

/** The moves a stack has collected so far. */
export function movesIn(stack: TerraformStack): readonly Move[] {
  return movesOf.get(stack) ?? [];
}

/** `<type>.<logical id>` of a resource, as the stack names it now. */
export function resourceAddress(stack: TerraformStack, resource: TerraformResource): string {
  return `${resource.terraformResourceType}.${stack.getLogicalId(resource)}`;
}

/**
 * Moves for every resource under `construct` from the addresses it had when its
 * construct id was `previousId` (same place in the tree, only that id differs). The
 * previous logical ids are computed with CDKTF's own naming (`makeUniqueId` over the
 * construct path below the stack), the one `TerraformStack.allocateLogicalId` uses.
 */
export function movesForRenamedConstruct(stack: TerraformStack, construct: IConstruct, previousId: string): Move[] {
  const below = (c: IConstruct): string[] => {
    const scopes = c.node.scopes;
    return scopes.slice(scopes.indexOf(stack) + 1).map((s) => s.node.id);
  };
  const depth = below(construct).length - 1;
  if (depth < 0) throw new Error(`moved: ${construct.node.path} is not inside stack ${stack.node.id}`);
  return construct.node
    .findAll()
    .filter((c): c is TerraformResource => TerraformResource.isTerraformResource(c))
    .map((resource) => {
      const components = below(resource);
      components[depth] = previousId;
      return { from: `${resource.terraformResourceType}.${makeUniqueId(components)}`, to: resourceAddress(stack, resource) };
    });
}

