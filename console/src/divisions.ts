/** The deployment's division tree (from config.json): names and the divisions a caller may see. */
import type { DivisionNode } from './config.ts';
import { locale } from './i18n/locale.ts';

export class Divisions {
  private readonly nodes = new Map<string, DivisionNode>();

  constructor(readonly root: DivisionNode) {
    const visit = (node: DivisionNode): void => {
      this.nodes.set(node.code, node);
      for (const child of node.children ?? []) visit(child);
    };
    visit(root);
  }

  node(code: string): DivisionNode | undefined {
    return this.nodes.get(code);
  }

  /** The name in the language in use, or the code when the division is unknown. */
  name(code: string): string {
    const node = this.nodes.get(code);
    return node === undefined ? code : node.name[locale.value];
  }

  children(code: string): readonly DivisionNode[] {
    return this.nodes.get(code)?.children ?? [];
  }

  /** `scope` and every division below it, depth first: what a caller with that scope may ask for. */
  within(scope: string): DivisionNode[] {
    const out: DivisionNode[] = [];
    const visit = (node: DivisionNode): void => {
      out.push(node);
      for (const child of node.children ?? []) visit(child);
    };
    const start = this.nodes.get(scope);
    if (start !== undefined) visit(start);
    return out;
  }

  /** True when `code` is `scope` or lies below it. */
  isWithin(code: string, scope: string): boolean {
    return this.within(scope).some((node) => node.code === code);
  }
}
