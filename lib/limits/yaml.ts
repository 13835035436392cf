// The one way YAML from users and repositories is parsed: alias count and alias expansion are
// bounded (a "billion laughs" file otherwise costs memory and CPU exponential in its size) and
// every refusal is a 422 naming the file.
import { isAlias, isCollection, isPair, isScalar, LineCounter, parseAllDocuments, type Document, type Node } from "yaml";
import { invalid } from "../errors";
import { securityEnv } from "../env";

export interface YamlLimits {
  /** Alias nodes (`*name`) allowed in one document. */
  maxAliases: number;
  /** Nodes that expanding aliases may add to one file, beyond the nodes written in it. */
  maxAliasExpansion: number;
}

export interface YamlSource {
  /** The file (or tool output) the text came from: named in every error. */
  file: string;
  /** The request field that carried it (e.g. "content"), when there is one. */
  field?: string;
}

export function yamlLimits(): YamlLimits {
  const e = securityEnv();
  return { maxAliases: e.TIDELINE_YAML_MAX_ALIASES, maxAliasExpansion: e.TIDELINE_YAML_MAX_ALIAS_EXPANSION };
}

const MAX_DEPTH = 1000;

function refuse(source: YamlSource, message: string, extra: Record<string, unknown> = {}) {
  return invalid(`${source.file}: ${message}`, { file: source.file, ...(source.field ? { field: source.field } : {}), ...extra });
}

/**
 * Counts aliases and the nodes the document holds once aliases are expanded, in one linear walk:
 * anchors are looked up in a map filled in document order (Alias.resolve would rescan the
 * document for each alias), and each anchored node is sized once.
 */
function measure(doc: Document.Parsed, source: YamlSource): { aliases: number; written: number; expanded: number } {
  let aliases = 0;
  let written = 0;
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, number>();
  const inProgress = new Set<Node>();
  const size = (node: unknown, depth: number, viaAlias: boolean): number => {
    if (depth > MAX_DEPTH) throw refuse(source, `YAML is nested deeper than ${MAX_DEPTH} levels`);
    if (node === null || node === undefined) return 0;
    if (isAlias(node)) {
      if (!viaAlias) aliases++;
      const target = anchors.get(node.source);
      if (!target || inProgress.has(target)) return 1;
      return sizes.get(target) ?? size(target, depth + 1, true);
    }
    if (isPair(node)) return size(node.key, depth + 1, viaAlias) + size(node.value, depth + 1, viaAlias);
    const n = node as Node;
    if (!viaAlias) {
      written++;
      if (n.anchor) anchors.set(n.anchor, n);
    }
    if (isScalar(n) || !isCollection(n)) return 1;
    inProgress.add(n);
    let total = 1;
    for (const item of n.items) total += size(item, depth + 1, viaAlias);
    inProgress.delete(n);
    if (n.anchor) sizes.set(n, total);
    return total;
  };
  const expanded = size(doc.contents, 0, false);
  return { aliases, written, expanded };
}

/** Throws a 422 when a document has too many aliases or the file's aliases expand too far. */
export function assertYamlLimits(docs: Document.Parsed[], source: YamlSource, limits: YamlLimits = yamlLimits()): void {
  let extra = 0;
  for (const [i, doc] of docs.entries()) {
    const m = measure(doc, source);
    if (m.aliases > limits.maxAliases) {
      throw refuse(
        source,
        `YAML document ${i + 1} uses ${m.aliases} aliases (limit ${limits.maxAliases}); write the values out instead of referring to anchors`,
        { limit: "aliases" },
      );
    }
    extra += Math.max(0, m.expanded - m.written);
    if (extra > limits.maxAliasExpansion) {
      throw refuse(
        source,
        `YAML aliases expand to more than ${limits.maxAliasExpansion} extra nodes (limit TIDELINE_YAML_MAX_ALIAS_EXPANSION); this looks like an alias bomb`,
        { limit: "expansion" },
      );
    }
  }
}

export interface ParseOptions {
  version?: "1.1" | "1.2";
  lineCounter?: LineCounter;
  prettyErrors?: boolean;
  limits?: YamlLimits;
}

/** All documents of a multi-document YAML text, checked against the limits. Syntax errors stay on the documents. */
export function parseYamlDocuments(text: string, source: YamlSource, opts: ParseOptions = {}): Document.Parsed[] {
  let docs: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(text, {
      prettyErrors: opts.prettyErrors ?? true,
      ...(opts.lineCounter ? { lineCounter: opts.lineCounter } : {}),
      ...(opts.version ? { version: opts.version } : {}),
    });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (e) {
    // Deep nesting can exhaust the parser's stack: that is the input's fault, not a server error.
    if (e instanceof RangeError) throw refuse(source, "YAML is nested too deeply to parse");
    throw e;
  }
  assertYamlLimits(docs, source, opts.limits);
  return docs;
}

/** A checked document as plain JavaScript (expansion is already bounded by assertYamlLimits). */
export function documentToJS(doc: Document.Parsed, source: YamlSource): unknown {
  try {
    return doc.toJS({ maxAliasCount: -1 });
  } catch (e) {
    if (e instanceof RangeError || e instanceof ReferenceError) throw refuse(source, `YAML cannot be read: ${e.message}`);
    throw e;
  }
}

/** One YAML document (a config file such as a kubeconfig) as plain JavaScript; syntax errors are 422s. */
export function parseYamlValue(text: string, source: YamlSource, opts: ParseOptions = {}): unknown {
  const docs = parseYamlDocuments(text, source, opts);
  if (docs.length > 1) throw refuse(source, "expected one YAML document, found several (---)");
  const doc = docs[0];
  if (!doc) return null;
  if (doc.errors.length) throw refuse(source, `not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
  return documentToJS(doc, source);
}
