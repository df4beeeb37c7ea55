/**
 * Where a field is in the YAML source. The loader parses with a LineCounter so every node keeps its
 * byte range; a path like `['models', 2, 'max_model_len']` maps back to a line and column.
 */
import { isMap, isScalar, isSeq, LineCounter, type Document, type Node, type Pair } from 'yaml';

export interface Position {
  line: number;
  column: number;
}

export class SourceLocator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  private pos(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  private child(node: unknown, seg: PropertyKey): { pair?: Pair; node?: unknown } | undefined {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) === String(seg) : String(p.key) === String(seg)));
      return pair ? { pair, node: pair.value } : undefined;
    }
    if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      return item === undefined ? undefined : { node: item };
    }
    return undefined;
  }

  /** True when the path exists in the document (as a key or an item). */
  has(path: readonly PropertyKey[]): boolean {
    let node: unknown = this.doc.contents;
    for (const seg of path) {
      const c = this.child(node, seg);
      if (!c) return false;
      node = c.node;
    }
    return true;
  }

  /**
   * Position of the path's value, or of its key when `key` is set (unknown keys point at the
   * key). A path that does not exist resolves to its deepest existing ancestor, so a missing field
   * points at the entry that lacks it.
   */
  locate(path: readonly PropertyKey[], key = false): Position | undefined {
    let node: unknown = this.doc.contents;
    let best: Position | undefined = rangeStart(node, this);
    for (let i = 0; i < path.length; i++) {
      const c = this.child(node, path[i]!);
      if (!c) return best;
      const last = i === path.length - 1;
      if (last && key && c.pair && isNodeWithRange(c.pair.key)) return this.pos(c.pair.key.range[0]);
      const start = rangeStart(c.node, this) ?? (c.pair && isNodeWithRange(c.pair.key) ? this.pos(c.pair.key.range[0]) : undefined);
      if (start) best = start;
      node = c.node;
    }
    return best;
  }

  offsetToPosition(offset: number): Position {
    return this.pos(offset);
  }
}

function isNodeWithRange(n: unknown): n is Node & { range: [number, number, number] } {
  return typeof n === 'object' && n !== null && Array.isArray((n as { range?: unknown }).range);
}

function rangeStart(node: unknown, loc: SourceLocator): Position | undefined {
  return isNodeWithRange(node) ? loc.offsetToPosition(node.range[0]) : undefined;
}
