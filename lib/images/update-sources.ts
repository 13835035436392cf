// Writes new image versions into an environment's Git sources (kustomize `images:`, setter
// markers, Helm values, plain `image:` fields) as minimal text edits, and reports current ones.
import { isMap, isScalar, isSeq, parse as parseYaml, type Document, type Node, type Pair, type Scalar, type YAMLMap } from "yaml";
import { parseYamlDocuments } from "../limits/yaml";
import { invalid } from "../errors";
import { canonicalName, formatImageRef, isValidDigest, isValidTag, tryParseImageRef } from "./image-ref";

export type SourceFiles = Record<string, string> | ReadonlyMap<string, string>;
export type UpdateVia = "kustomize-images" | "setter" | "imagepolicy-marker" | "helm-values" | "image-field";

export interface ImageUpdate {
  name: string;
  tag?: string;
  digest?: string;
}

export interface UpdateSourcesOptions {
  /** The environment's own kustomization; edits stay in its folder and missing entries are added to it. */
  targetKustomization?: string;
  /** Flux image policy ("namespace:name"): only `$imagepolicy` markers naming it are written. */
  policyMarker?: string;
  /** Rewrite plain `image: name:tag` fields when nothing better places the image. */
  allowPlainImageFields?: boolean;
}

export interface AppliedImageUpdate {
  name: string;
  from?: string;
  to: string;
  path: string;
  /** 1-based line in `after`. */
  line: number;
  via: UpdateVia;
  changed: boolean;
}

export interface FileChange {
  path: string;
  before: string;
  after: string;
}

export interface UpdateSourcesResult {
  files: FileChange[];
  applied: AppliedImageUpdate[];
  unmatched: string[];
}

export interface CurrentImage {
  via: UpdateVia;
  path: string;
  line: number;
  /** Image name, when the place names it (a tag-only marker may not). */
  name?: string;
  tag?: string;
  digest?: string;
  ref?: string;
  /** For markers: the policy and which part of the reference the line holds. */
  policy?: string;
  field?: MarkerField;
}

// ---------------------------------------------------------------- parsing and scanning

type MarkerField = "ref" | "tag" | "digest" | "name";
interface Marker {
  flavor: "tideline" | "flux";
  policy?: string;
  field: MarkerField;
}

interface SourceFile {
  path: string;
  key: string;
  text: string;
  docs: Document.Parsed[];
  eol: string;
  lineStarts?: number[];
}

type Site =
  | { kind: "kustomize"; file: SourceFile; map: YAMLMap; at: number; name: string; newName?: string; tag?: Pair; digest?: Pair }
  | { kind: "marker"; file: SourceFile; node: Scalar; at: number; marker: Marker; value: string; name?: string }
  | { kind: "helm"; file: SourceFile; map: YAMLMap; at: number; name: string; tag: Pair; digest?: Pair }
  | { kind: "field"; file: SourceFile; node: Scalar; at: number; value: string; name: string; containerLike: boolean };

const normPath = (p: string) => p.replace(/^\.?\/+/, "");
const baseName = (p: string) => p.slice(p.lastIndexOf("/") + 1);
const isKustomization = (p: string) => ["kustomization.yaml", "kustomization.yml", "Kustomization"].includes(baseName(p));
const isYamlPath = (p: string) => /\.ya?ml$/i.test(p) || isKustomization(p);
const isHelmTemplate = (p: string, text: string) => /(^|\/)templates\//.test(p) && text.includes("{{");

function entriesOf(files: SourceFiles): Array<[string, string]> {
  const list = files instanceof Map ? [...files.entries()] : Object.entries(files as Record<string, string>);
  return list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function parseFile(path: string, text: string): SourceFile {
  const docs = parseYamlDocuments(text, { file: path });
  for (const doc of docs) {
    const err = doc.errors[0];
    if (!err) continue;
    const line = err.linePos?.[0]?.line ?? lineAt(text, err.pos[0]);
    const reason = err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?\s*$/, "");
    throw invalid(`${path} line ${line}: ${reason}`, { path, line });
  }
  return { path, key: normPath(path), text, docs, eol: text.includes("\r\n") ? "\r\n" : "\n" };
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function lineOf(file: SourceFile, offset: number): number {
  const starts = (file.lineStarts ??= [0, ...[...file.text.matchAll(/\n/g)].map((m) => m.index! + 1)]);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

const start = (n: Node | null | undefined) => n?.range?.[0] ?? 0;
const pairOf = (map: YAMLMap, key: string) => map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;

/** The scalar's value as written (plain scalars keep their source text, so `1.10` stays "1.10"). */
function scalarText(file: SourceFile, node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined || !node.range) return undefined;
  if (node.type === "PLAIN") return file.text.slice(node.range[0], node.range[1]);
  return typeof node.value === "string" ? node.value : String(node.value);
}
const pairText = (file: SourceFile, map: YAMLMap, key: string) => scalarText(file, pairOf(map, key)?.value);

const FLUX_MARKER = /\{\s*"\$imagepolicy"\s*:\s*"([^"]+)"\s*\}/;
const TIDELINE_MARKER = /tideline:image(?::(tag|digest|name))?(?![\w:-])/;

/** A setter marker in the comment that follows a value on its line. */
function markerAfter(text: string, valueEnd: number): Marker | undefined {
  const nl = text.indexOf("\n", valueEnd);
  const rest = text.slice(valueEnd, nl < 0 ? text.length : nl);
  const hash = rest.search(/(^|\s)#/);
  if (hash < 0) return undefined;
  const comment = rest.slice(hash);
  const flux = FLUX_MARKER.exec(comment);
  if (flux) {
    const parts = flux[1]!.split(":").map((s) => s.trim());
    const last = parts[parts.length - 1]!;
    const field = parts.length >= 3 && (last === "tag" || last === "name" || last === "digest") ? last : "ref";
    return { flavor: "flux", policy: (field === "ref" ? parts : parts.slice(0, -1)).join(":"), field };
  }
  const own = TIDELINE_MARKER.exec(comment);
  if (own) return { flavor: "tideline", field: (own[1] as MarkerField | undefined) ?? "ref" };
  return undefined;
}
const markerOf = (file: SourceFile, node: unknown) => (isScalar(node) && node.range ? markerAfter(file.text, node.range[1]) : undefined);

/** The image name a map describes: Helm `registry`/`repository`, or kustomize `newName`/`name`. */
function siblingName(file: SourceFile, map: YAMLMap): string | undefined {
  const repo = pairText(file, map, "repository");
  if (repo) {
    const registry = pairText(file, map, "registry");
    return registry ? `${registry.replace(/\/+$/, "")}/${repo}` : repo;
  }
  return pairText(file, map, "newName") ?? pairText(file, map, "name");
}

function eachMap(node: unknown, fn: (map: YAMLMap) => void): void {
  if (isMap(node)) {
    fn(node);
    for (const p of node.items) eachMap(p.value, fn);
  } else if (isSeq(node)) for (const item of node.items) eachMap(item, fn);
}

function scanFile(file: SourceFile, sites: Site[]): void {
  const kustomization = isKustomization(file.path);
  for (const doc of file.docs) {
    const images = kustomization && isMap(doc.contents) ? pairOf(doc.contents, "images")?.value : undefined;
    for (const item of isSeq(images) ? images.items : []) {
      const name = isMap(item) ? pairText(file, item, "name") : undefined;
      if (!isMap(item) || !name) continue;
      const newName = pairText(file, item, "newName");
      sites.push({
        kind: "kustomize",
        file,
        map: item,
        at: start(item),
        name,
        ...(newName ? { newName } : {}),
        tag: pairOf(item, "newTag"),
        digest: pairOf(item, "digest"),
      });
    }
    eachMap(doc.contents, (map) => {
      for (const pair of map.items) {
        const node = pair.value;
        if (!isScalar(node) || !node.range) continue;
        const value = scalarText(file, node);
        const marker = markerAfter(file.text, node.range[1]);
        if (marker && value !== undefined) {
          const name = marker.field === "ref" ? tryParseImageRef(value)?.name : marker.field === "name" ? value : siblingName(file, map);
          sites.push({ kind: "marker", file, node, at: node.range[0], marker, value, ...(name ? { name } : {}) });
        } else if (!kustomization && isScalar(pair.key) && pair.key.value === "image" && typeof node.value === "string" && !value!.includes("{{")) {
          const ref = tryParseImageRef(value!);
          if (!ref) continue;
          // Not Flux's ImageRepository `spec.image`, which names a repository to scan.
          const containerLike = Boolean(ref.tag || ref.digest || pairOf(map, "name"));
          sites.push({ kind: "field", file, node, at: node.range[0], value: value!, name: ref.name, containerLike });
        }
      }
      const repo = pairText(file, map, "repository");
      const tag = pairOf(map, "tag");
      if (!kustomization && repo && tag && isScalar(tag.value) && !repo.includes("{{")) {
        sites.push({ kind: "helm", file, map, at: start(tag.value), name: siblingName(file, map)!, tag, digest: pairOf(map, "digest") });
      }
    });
  }
}

function scanSources(files: SourceFiles): { files: Map<string, SourceFile>; sites: Site[] } {
  const parsed = new Map<string, SourceFile>();
  const sites: Site[] = [];
  for (const [path, text] of entriesOf(files)) {
    if (!isYamlPath(path) || isHelmTemplate(path, text)) continue;
    const file = parseFile(path, text);
    parsed.set(file.key, file);
    scanFile(file, sites);
  }
  return { files: parsed, sites };
}

// ---------------------------------------------------------------- text edits

interface Edit {
  start: number;
  end: number;
  text: string;
  lead: number;
  afterStart?: number;
  owner?: string;
}

/** Plain style only when YAML 1.1 and 1.2 both read the text back as this exact string. */
function plainSafe(value: string): boolean {
  if (!value || /[\r\n]/.test(value)) return false;
  try {
    return parseYaml(value) === value && parseYaml(value, { version: "1.1" }) === value;
  } catch {
    return false;
  }
}
const yamlString = (value: string) => (plainSafe(value) ? value : JSON.stringify(value));

function lineEndAfter(text: string, pos: number): number {
  while (pos > 0 && /\s/.test(text[pos - 1]!)) pos--;
  let nl = text.indexOf("\n", pos);
  if (nl < 0) return text.length;
  if (text[nl - 1] === "\r") nl--;
  return nl;
}
const lineStartOf = (text: string, pos: number) => text.lastIndexOf("\n", pos - 1) + 1;
const columnOf = (text: string, pos: number) => pos - lineStartOf(text, pos);

/** Where a node's own content ends (not counting comments or blank lines after it). */
function contentEnd(node: unknown): number {
  if (isMap(node) && !node.flow && node.items.length) {
    const last = node.items[node.items.length - 1]!;
    return last.value ? contentEnd(last.value) : (last.key as Node).range![1];
  }
  if (isSeq(node) && !node.flow && node.items.length) return contentEnd(node.items[node.items.length - 1]);
  return (node as Node).range![1];
}

class Editor {
  readonly edits: Edit[] = [];
  constructor(readonly file: SourceFile) {}

  private edit(start: number, end: number, text: string, lead = 0): Edit {
    return { start, end, text, lead };
  }

  /** Replaces a scalar keeping its quoting; null = already that value, false = cannot edit. */
  planScalar(node: unknown, value: string): Edit | null | false {
    if (!isScalar(node) || !node.range) return false;
    const { text } = this.file;
    const [s, e] = node.range;
    const src = text.slice(s, e);
    switch (node.type) {
      case "QUOTE_DOUBLE":
        return node.value === value ? null : this.edit(s, e, JSON.stringify(value));
      case "QUOTE_SINGLE":
        return node.value === value ? null : this.edit(s, e, `'${value.replace(/'/g, "''")}'`);
      case "PLAIN":
        if (src === value) return null;
        if (src === "") return this.edit(s, e, `${text[s - 1] === ":" ? " " : ""}${yamlString(value)}`);
        return this.edit(s, e, yamlString(value));
      default:
        return false; // block scalars: leave to a person
    }
  }

  /** Sets `key` in a mapping, adding it after the last key when missing. */
  planSetKey(map: YAMLMap, key: string, value: string): Edit | null | false {
    const pair = pairOf(map, key);
    if (pair) return this.planScalar(pair.value, value);
    const last = map.items[map.items.length - 1];
    if (!last || !(last.key as Node | null)?.range) return false;
    const { text, eol } = this.file;
    if (map.flow) {
      const end = ((last.value as Node | null)?.range ?? (last.key as Node).range!)[1];
      return this.edit(end, end, `, ${key}: ${yamlString(value)}`);
    }
    const indent = " ".repeat(columnOf(text, (map.items[0]!.key as Node).range![0]));
    const at = lineEndAfter(text, contentEnd(map));
    return this.edit(at, at, `${eol}${indent}${key}: ${yamlString(value)}`, eol.length);
  }

  planRemoveKey(map: YAMLMap, pair: Pair): Edit | false {
    const { text } = this.file;
    const idx = map.items.indexOf(pair);
    const keyStart = (pair.key as Node).range![0];
    const next = map.items[idx + 1];
    if (next) return this.edit(keyStart, (next.key as Node).range![0], "");
    const prev = map.items[idx - 1];
    if (!prev) return false;
    const end = map.flow ? (pair.value as Node).range![1] : lineEndAfter(text, contentEnd(pair.value ?? pair.key));
    if (map.flow) return this.edit(contentEnd(prev.value ?? prev.key), end, "");
    const lineStart = lineStartOf(text, keyStart);
    if (text.slice(lineStart, keyStart).trim() !== "" || lineStart === 0) return false;
    return this.edit(lineStart - (text[lineStart - 2] === "\r" ? 2 : 1), end, "");
  }

  insert(at: number, text: string, lead: number): Edit {
    const e = this.edit(at, at, text, lead);
    this.edits.push(e);
    return e;
  }

  add(edits: Edit[]): void {
    this.edits.push(...edits);
  }

  apply(): string {
    const sorted = this.edits
      .map((e, i) => [e, i] as const)
      .sort(([a, i], [b, j]) => a.start - b.start || i - j)
      .map(([e]) => e);
    let out = "";
    let pos = 0;
    for (const e of sorted) {
      if (e.start < pos) throw new Error(`overlapping image edits in ${this.file.path}`);
      out += this.file.text.slice(pos, e.start);
      e.afterStart = out.length;
      out += e.text;
      pos = e.end;
    }
    return out + this.file.text.slice(pos);
  }

  /** Where an offset of the original text ends up after apply(). */
  mapOffset(offset: number): number {
    let delta = 0;
    for (const e of this.edits) if (e.end <= offset && e.start < offset) delta += e.text.length - (e.end - e.start);
    return offset + delta;
  }
}

// ---------------------------------------------------------------- current images

export function currentImagesInSources(files: SourceFiles): CurrentImage[] {
  return scanSources(files)
    .sites.map(describe)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));
}

function describe(s: Site): CurrentImage {
  const base = { path: s.file.path, line: lineOf(s.file, s.at) };
  if (s.kind === "kustomize") {
    const name = s.newName ?? s.name;
    const parts = opt({ tag: scalarText(s.file, s.tag?.value), digest: scalarText(s.file, s.digest?.value) });
    return { via: "kustomize-images", ...base, name, ...parts, ref: formatImageRef({ name, ...parts }) };
  }
  if (s.kind === "marker") {
    const via = s.marker.flavor === "flux" ? "imagepolicy-marker" : "setter";
    const parts = s.marker.field === "ref" ? tryParseImageRef(s.value) : s.marker.field === "name" ? undefined : { [s.marker.field]: s.value };
    const ref = s.name && s.marker.field !== "name" ? formatImageRef({ ...parts, name: s.name }) : undefined;
    return { via, ...base, ...opt({ name: s.name, tag: parts?.tag, digest: parts?.digest, ref, policy: s.marker.policy }), field: s.marker.field };
  }
  if (s.kind === "helm") {
    const parts = opt({ tag: scalarText(s.file, s.tag.value) || undefined, digest: scalarText(s.file, s.digest?.value) || undefined });
    return { via: "helm-values", ...base, name: s.name, ...parts, ref: formatImageRef({ name: s.name, ...parts }) };
  }
  const ref = tryParseImageRef(s.value)!;
  return { via: "image-field", ...base, name: ref.name, ...opt({ tag: ref.tag, digest: ref.digest }), ref: s.value };
}

/** Drops undefined properties (keeps results tidy for exactOptional-style consumers and deep equality). */
function opt<T extends Record<string, string | undefined>>(o: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: string };
}

// ---------------------------------------------------------------- updates

interface Wanted {
  update: ImageUpdate;
  name: string;
  canonical: string;
}

function validateUpdates(updates: ImageUpdate[]): Wanted[] {
  const seen = new Map<string, string>();
  return updates.map((u) => {
    const name = (u.name ?? "").trim();
    const ref = tryParseImageRef(name);
    if (!ref || ref.tag || ref.digest) throw invalid(`"${u.name}" is not an image name (give the tag and digest separately)`, { field: "name" });
    if (u.tag === undefined && u.digest === undefined) throw invalid(`${name}: give a tag or a digest`, { field: "tag" });
    if (u.tag !== undefined && !isValidTag(u.tag)) throw invalid(`${name}: "${u.tag}" is not a valid tag`, { field: "tag" });
    if (u.digest !== undefined && !isValidDigest(u.digest)) throw invalid(`${name}: "${u.digest}" is not a valid digest`, { field: "digest" });
    const canonical = canonicalName(name);
    if (seen.has(canonical)) throw invalid(`${name} is listed twice (also as ${seen.get(canonical)})`, { field: "name" });
    seen.set(canonical, name);
    return { update: { name, ...opt({ tag: u.tag, digest: u.digest }) }, name, canonical };
  });
}

interface Pending {
  name: string;
  from?: string;
  to: string;
  editor: Editor;
  anchor: Edit | number;
  anchorExtra?: number;
  via: UpdateVia;
  changed: boolean;
}
interface Addition {
  name: string;
  tag?: string;
  digest?: string;
  pending: Pending;
}

export function updateImagesInSources(files: SourceFiles, updates: ImageUpdate[], options: UpdateSourcesOptions = {}): UpdateSourcesResult {
  const wanted = validateUpdates(updates);
  const scan = scanSources(files);
  const policy = options.policyMarker?.trim() || undefined;
  const target = options.targetKustomization ? normPath(options.targetKustomization) : undefined;
  if (target !== undefined) {
    if (!isKustomization(target)) throw invalid(`${options.targetKustomization} is not a kustomization file`, { field: "targetKustomization" });
    if (!scan.files.has(target)) throw invalid(`${options.targetKustomization} is not among the supplied files`, { field: "targetKustomization" });
  }
  const scopeDir = target?.includes("/") ? target.slice(0, target.lastIndexOf("/") + 1) : "";
  const inScope = (f: SourceFile) => f.key.startsWith(scopeDir);
  const matches = (w: Wanted, name: string | undefined) => name !== undefined && canonicalName(name) === w.canonical;
  // With a policy, lines another policy's marker owns are never edited, whatever the strategy.
  const owned = (f: SourceFile, ...nodes: unknown[]) =>
    policy !== undefined &&
    nodes.some((n) => {
      const m = markerOf(f, n);
      return m?.flavor === "flux" && m.policy !== policy;
    });

  const editors = new Map<SourceFile, Editor>();
  const editor = (f: SourceFile) => editors.get(f) ?? editors.set(f, new Editor(f)).get(f)!;
  const pending: Pending[] = [];
  const additions: Addition[] = [];

  /** Plans all edits for one place; commits them only if every one is possible. */
  const commit = (f: SourceFile, planned: Array<Edit | null | false>, p: Omit<Pending, "editor" | "anchor" | "changed">, at: number) => {
    if (planned.some((e) => e === false)) return false;
    const edits = planned.filter((e): e is Edit => Boolean(e));
    const ed = editor(f);
    for (const e of edits) {
      const other = ed.edits.find((x) => x.start < e.end && e.start < x.end);
      if (other) throw invalid(`${f.path} line ${lineOf(f, e.start)}: ${p.name} and ${other.owner} would both be written here`, { path: f.path });
      e.owner = p.name;
    }
    ed.add(edits);
    pending.push({ ...p, editor: ed, anchor: edits[0] ?? at, changed: edits.length > 0 });
    return true;
  };

  const kustomizeEntries = (w: Wanted): boolean => {
    let placed = false;
    for (const s of scan.sites) {
      if (s.kind !== "kustomize" || (target !== undefined && s.file.key !== target)) continue;
      if (!matches(w, s.name) && !matches(w, s.newName)) continue;
      if (owned(s.file, s.tag?.value, s.digest?.value)) continue;
      const { tag, digest } = w.update;
      const ed = editor(s.file);
      const curTag = scalarText(s.file, s.tag?.value);
      const curDigest = scalarText(s.file, s.digest?.value);
      const name = s.newName ?? s.name;
      const planned = [
        tag !== undefined ? ed.planSetKey(s.map, "newTag", tag) : null,
        digest !== undefined ? ed.planSetKey(s.map, "digest", digest) : s.digest && curDigest ? ed.planRemoveKey(s.map, s.digest) : null,
      ];
      const from = curTag || curDigest ? formatImageRef({ name, ...opt({ tag: curTag, digest: curDigest }) }) : undefined;
      const to = formatImageRef({ name, ...opt({ tag: tag ?? curTag, digest }) });
      placed = commit(s.file, planned, { name: w.name, ...opt({ from }), to, via: "kustomize-images" }, s.at) || placed;
    }
    return placed;
  };

  const markers = (w: Wanted): boolean => {
    let placed = false;
    for (const s of scan.sites) {
      if (s.kind !== "marker" || s.marker.field === "name") continue;
      if (policy !== undefined ? s.marker.flavor !== "flux" || s.marker.policy !== policy : s.marker.flavor !== "tideline" || !inScope(s.file)) continue;
      if (s.name ? !matches(w, s.name) : !(policy !== undefined && wanted.length === 1)) continue;
      const { tag, digest } = w.update;
      let value: string | undefined;
      let from = s.value;
      let to: string;
      if (s.marker.field === "ref") {
        const cur = tryParseImageRef(s.value);
        if (!cur) continue;
        value = to = formatImageRef({ name: cur.name, ...opt({ tag, digest }) });
      } else {
        value = s.marker.field === "tag" ? tag : digest;
        if (value === undefined) continue;
        to = value;
        if (s.name) [from, to] = [formatImageRef({ name: s.name, [s.marker.field]: s.value }), formatImageRef({ name: s.name, [s.marker.field]: value })];
      }
      const via = s.marker.flavor === "flux" ? "imagepolicy-marker" : "setter";
      placed = commit(s.file, [editor(s.file).planScalar(s.node, value)], { name: w.name, from, to, via }, s.at) || placed;
    }
    return placed;
  };

  const helmValues = (w: Wanted): boolean => {
    let placed = false;
    for (const s of scan.sites) {
      if (s.kind !== "helm" || !inScope(s.file) || !matches(w, s.name) || owned(s.file, s.tag.value, s.digest?.value)) continue;
      const { tag, digest } = w.update;
      if (tag === undefined && !s.digest) continue; // a digest alone has nowhere to go
      const ed = editor(s.file);
      const curTag = scalarText(s.file, s.tag.value) || undefined;
      const curDigest = scalarText(s.file, s.digest?.value) || undefined;
      const planned = [tag !== undefined ? ed.planScalar(s.tag.value, tag) : null, s.digest ? ed.planScalar(s.digest.value, digest ?? "") : null];
      const from = formatImageRef({ name: s.name, ...opt({ tag: curTag, digest: curDigest }) });
      const to = formatImageRef({ name: s.name, ...opt({ tag: tag ?? curTag, digest: s.digest ? digest : undefined }) });
      placed = commit(s.file, planned, { name: w.name, from, to, via: "helm-values" }, s.at) || placed;
    }
    return placed;
  };

  const addEntry = (w: Wanted): boolean => {
    if (target === undefined) return false;
    // An entry the target already has (say, owned by another policy) is never duplicated.
    if (scan.sites.some((s) => s.kind === "kustomize" && s.file.key === target && (matches(w, s.name) || matches(w, s.newName)))) return false;
    const used = scan.sites.find(
      (s) =>
        (s.kind === "kustomize" && matches(w, s.newName ?? s.name)) ||
        (s.kind === "field" && s.containerLike && matches(w, s.name)) ||
        (s.kind === "marker" && s.marker.field === "ref" && matches(w, s.name)),
    );
    if (!used) return false;
    const name = used.kind === "kustomize" ? (used.newName ?? used.name) : used.name!;
    const current = describe(used);
    const { tag, digest } = w.update;
    const file = scan.files.get(target)!;
    const p: Pending = {
      name: w.name,
      ...opt({ from: current?.ref }),
      to: formatImageRef({ name, ...opt({ tag, digest }) }),
      editor: editor(file),
      anchor: 0,
      via: "kustomize-images",
      changed: true,
    };
    pending.push(p);
    additions.push({ name, ...opt({ tag, digest }), pending: p });
    return true;
  };

  const plainFields = (w: Wanted): boolean => {
    if (!options.allowPlainImageFields) return false;
    let placed = false;
    for (const s of scan.sites) {
      if (s.kind !== "field" || !s.containerLike || !inScope(s.file) || !matches(w, s.name) || owned(s.file, s.node)) continue;
      const to = formatImageRef({ name: s.name, ...opt({ tag: w.update.tag, digest: w.update.digest }) });
      placed = commit(s.file, [editor(s.file).planScalar(s.node, to)], { name: w.name, from: s.value, to, via: "image-field" }, s.at) || placed;
    }
    return placed;
  };

  const unmatched: string[] = [];
  for (const w of wanted) {
    if (!(kustomizeEntries(w) || markers(w) || helmValues(w) || addEntry(w) || plainFields(w))) unmatched.push(w.name);
  }
  if (additions.length) insertKustomizeEntries(editor(scan.files.get(target!)!), additions);

  const changes: FileChange[] = [];
  const after = new Map<Editor, string>();
  for (const ed of editors.values()) {
    const text = ed.apply();
    after.set(ed, text);
    if (text !== ed.file.text) changes.push({ path: ed.file.path, before: ed.file.text, after: text });
  }
  const applied = pending.map(({ editor: ed, anchor, anchorExtra, ...rest }) => {
    const text = after.get(ed)!;
    const offset = typeof anchor === "number" ? ed.mapOffset(anchor) : anchor.afterStart! + anchor.lead + (anchorExtra ?? 0);
    return { ...rest, path: ed.file.path, line: lineAt(text, offset) };
  });
  return { files: changes.sort((a, b) => (a.path < b.path ? -1 : 1)), applied, unmatched };
}

/** Appends entries to the target's `images:` list (creating it if needed), in the file's own indentation. */
function insertKustomizeEntries(ed: Editor, additions: Addition[]): void {
  const { text, eol, path } = ed.file;
  const doc = ed.file.docs[0];
  const top = doc && isMap(doc.contents) ? doc.contents : undefined;
  const images = top ? pairOf(top, "images") : undefined;
  const seq = images?.value;
  const fields = (a: Addition) => [
    `name: ${yamlString(a.name)}`,
    ...(a.tag !== undefined ? [`newTag: ${yamlString(a.tag)}`] : []),
    ...(a.digest !== undefined ? [`digest: ${yamlString(a.digest)}`] : []),
  ];
  /** One insert for all entries; each entry's line points at its own `- name:` line. */
  const insert = (at: number, end: number, head: string, entries: string[], sep: string) => {
    const e = ed.insert(at, head + entries.map((x) => sep + x).join(""), 0);
    e.end = end;
    let offset = head.length;
    for (const [i, a] of additions.entries()) {
      a.pending.anchor = e;
      a.pending.anchorExtra = offset + (sep === eol ? eol.length : 0);
      offset += sep.length + entries[i]!.length;
    }
  };
  const blockEntries = (dash: number, content: number) =>
    additions.map((a) =>
      fields(a)
        .map((f, i) => (i === 0 ? `${" ".repeat(dash)}-${" ".repeat(content - dash - 1)}` : " ".repeat(content)) + f)
        .join(eol),
    );
  const itemLayout = (item: unknown): { dash: number; content: number } | undefined => {
    const itemStart = isMap(item) && !item.flow ? (item.items[0]?.key as Node | undefined)?.range?.[0] : (item as Node).range?.[0];
    if (itemStart === undefined) return undefined;
    const lineStart = lineStartOf(text, itemStart);
    const prefix = text.slice(lineStart, itemStart);
    return /^ *- +$/.test(prefix) ? { dash: prefix.indexOf("-"), content: itemStart - lineStart } : undefined;
  };

  if (isSeq(seq) && !seq.flow && seq.items.length) {
    const layout = [...seq.items].reverse().map(itemLayout).find(Boolean) ?? { dash: 0, content: 2 };
    const at = lineEndAfter(text, contentEnd(seq));
    insert(at, at, "", blockEntries(layout.dash, layout.content), eol);
    return;
  }
  if (isSeq(seq) && seq.flow && seq.items.length) {
    const at = (seq.items[seq.items.length - 1] as Node).range![1];
    insert(
      at,
      at,
      "",
      additions.map((a) => `{ ${fields(a).join(", ")} }`),
      ", ",
    );
    return;
  }
  if (images && !(isSeq(seq) && seq.flow) && !(isScalar(seq) && seq.value === null)) {
    throw invalid(`${path} line ${lineOf(ed.file, start(images.key as Node))}: "images" is not a list`, { path });
  }
  // No entries yet: take the list indentation from another block list in the file.
  const keyCol = top?.items[0] ? columnOf(text, start(top.items[0].key as Node)) : 0;
  let dashOffset = 2;
  const sample = top?.items.find((p) => isSeq(p.value) && !p.value.flow && p.value.items.length);
  if (sample && isSeq(sample.value)) {
    const layout = itemLayout(sample.value.items[0]);
    if (layout) dashOffset = layout.dash - columnOf(text, start(sample.key as Node));
  }
  const dash = keyCol + Math.max(0, dashOffset);
  const entries = blockEntries(dash, dash + 2);
  if (images && seq) {
    // `images:` with no value, or `images: []`: the value becomes a block list.
    let s = (seq as Node).range![0];
    while (s > 0 && text[s - 1] === " ") s--;
    insert(s, (seq as Node).range![1], "", entries, eol);
    return;
  }
  if (top) {
    const at = lineEndAfter(text, contentEnd(top));
    insert(at, at, `${eol}${" ".repeat(keyCol)}images:`, entries, eol);
    return;
  }
  const lead = text === "" || text.endsWith("\n") ? "" : eol;
  const e = text.length;
  insert(e, e, `${lead}images:`, entries, eol);
  ed.insert(e, eol, 0);
}
