// One environment's live feed in this process: watch-cache changes in its namespaces (tree
// patches, new events) and database notifications (environment detail, sync runs), numbered
// "<epoch>.<seq>". The last messages are kept so a client that reconnects with Last-Event-ID
// gets exactly what it missed; one that asks for an id this process cannot resume (another
// process, a restart, too old) gets a snapshot first. Messages never carry Kubernetes objects.
import { randomBytes } from "node:crypto";
import type { ClusterCache } from "../kube/cluster-cache";
import type { KubeObject } from "../kube/watch-stream";
import { INVENTORY_LABEL } from "../reconcile/desired";
import { environmentScope, namespaceEvents, treeOf, type TreeDeps } from "../tree/environment-tree";
import { toEventView } from "../tree/events";
import type { TreeNode, TreeProblem } from "../tree/types";
import type { LiveNotification } from "./pg-notifications";

export interface LiveMessage {
  id: string;
  event: "snapshot" | "tree" | "environment" | "events" | "sync-run";
  data: unknown;
}

export interface ChannelDeps extends TreeDeps {
  /** The environment page's detail (the same read model as GET /api/environments/[id]). */
  environmentDetail: (environmentId: string) => Promise<unknown>;
  log?: (m: string) => void;
}

const BUFFER = 1000;
/** Cluster changes are gathered this long before the tree is rebuilt (a rollout touches many pods). */
const TREE_DEBOUNCE_MS = 40;
const DETAIL_DEBOUNCE_MS = 40;

type Subscriber = (m: LiveMessage) => void;

export class EnvironmentChannel {
  readonly epoch = randomBytes(4).toString("hex");
  private seq = 0;
  private buffer: LiveMessage[] = [];
  private subscribers = new Set<Subscriber>();
  private nodes = new Map<string, { node: TreeNode; json: string }>();
  private problems: TreeProblem[] = [];
  private namespaces = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private treeTimer: NodeJS.Timeout | undefined;
  private detailTimer: NodeJS.Timeout | undefined;
  private stopCache: (() => void) | undefined;
  private cache: ClusterCache | undefined;
  private started: Promise<void> | undefined;
  private closed = false;
  private rebuildMs = 0;

  constructor(
    readonly environmentId: string,
    private readonly deps: ChannelDeps,
  ) {}

  get size(): number {
    return this.subscribers.size;
  }

  /** Builds the first tree and starts listening to the cluster (once). */
  start(): Promise<void> {
    this.started ??= this.serial(async () => {
      const scope = await environmentScope(this.deps.prisma, this.environmentId);
      this.cache = await this.deps.cacheFor(scope.clusterId);
      this.namespaces = new Set(scope.namespaces);
      this.stopCache = this.cache.onChange((_type, obj) => this.onCluster(obj));
      await this.rebuildTree(false);
    });
    // A failed start (cluster unreachable, environment deleted) is tried again by the next subscriber.
    this.started.catch(() => {
      this.stopCache?.();
      this.started = undefined;
    });
    return this.started;
  }

  /**
   * Adds a subscriber: replays what it missed after `lastEventId`, or sends a snapshot when that
   * cannot be done exactly. Returns the unsubscribe function.
   */
  async subscribe(send: Subscriber, lastEventId: string | null): Promise<() => void> {
    await this.start();
    await this.serial(async () => {
      const missed = this.replayAfter(lastEventId);
      if (missed) missed.forEach(send);
      else send(await this.snapshot());
      this.subscribers.add(send);
    });
    return () => this.subscribers.delete(send);
  }

  onNotification(n: LiveNotification): void {
    if (n.type === "resync") {
      this.scheduleDetail();
      this.scheduleTree();
      return;
    }
    if ((n.type !== "environment" && n.type !== "syncRun") || n.environmentId !== this.environmentId) return;
    if (n.type === "syncRun") {
      void this.serial(async () => this.publish("sync-run", { id: n.syncRunId, status: n.status }));
      this.scheduleDetail(); // the page header shows the running sync's progress
      return;
    }
    this.scheduleDetail();
    this.scheduleTree(); // sync status and the applied objects come from the environment's rows
  }

  close(): void {
    this.closed = true;
    this.stopCache?.();
    clearTimeout(this.treeTimer);
    clearTimeout(this.detailTimer);
    this.subscribers.clear();
  }

  private onCluster(obj: KubeObject): void {
    const ns = obj.metadata.namespace;
    const ours = ns ? this.namespaces.has(ns) : obj.metadata.labels?.[INVENTORY_LABEL] === this.environmentId;
    if (!ours) return;
    if (obj.kind === "Event") {
      const view = toEventView(obj);
      void this.serial(async () => this.publish("events", { items: [view] }));
    }
    this.scheduleTree();
  }

  private scheduleTree() {
    // A big tree (thousands of pods) takes a while to build: wait at least twice that long between
    // rebuilds, so a rollout's burst of pod changes costs a few rebuilds, not one per change.
    this.treeTimer ??= setTimeout(
      () => {
        this.treeTimer = undefined;
        void this.serial(async () => {
          const started = performance.now();
          await this.rebuildTree(true);
          this.rebuildMs = performance.now() - started;
        });
      },
      Math.max(TREE_DEBOUNCE_MS, 2 * this.rebuildMs),
    );
  }

  private scheduleDetail() {
    this.detailTimer ??= setTimeout(() => {
      this.detailTimer = undefined;
      void this.serial(async () => this.publish("environment", await this.deps.environmentDetail(this.environmentId)));
    }, DETAIL_DEBOUNCE_MS);
  }

  /** Recomputes the tree and publishes only the nodes that changed. */
  private async rebuildTree(publish: boolean): Promise<void> {
    if (!this.cache) return;
    const scope = await environmentScope(this.deps.prisma, this.environmentId);
    this.namespaces = new Set(scope.namespaces);
    const tree = await treeOf(this.cache, scope);
    const next = new Map(tree.nodes.map((node) => [node.id, { node, json: JSON.stringify(node) }]));
    const upsert: TreeNode[] = [];
    const remove: string[] = [];
    for (const [id, n] of next) if (this.nodes.get(id)?.json !== n.json) upsert.push(n.node);
    for (const id of this.nodes.keys()) if (!next.has(id)) remove.push(id);
    const problemsChanged = JSON.stringify(tree.problems) !== JSON.stringify(this.problems);
    this.nodes = next;
    this.problems = tree.problems;
    if (publish && (upsert.length || remove.length || problemsChanged)) this.publish("tree", { upsert, remove, problems: tree.problems });
  }

  private async snapshot(): Promise<LiveMessage> {
    const environment = await this.deps.environmentDetail(this.environmentId);
    const events = this.cache ? (await namespaceEvents(this.cache, [...this.namespaces])).items.slice(0, 200) : [];
    const tree = { environmentId: this.environmentId, nodes: [...this.nodes.values()].map((n) => n.node), problems: this.problems };
    return { id: this.currentId(), event: "snapshot", data: { environment, tree, events: { items: events } } };
  }

  private replayAfter(lastEventId: string | null): LiveMessage[] | null {
    if (!lastEventId) return null;
    const [epoch, seqText] = lastEventId.split(".");
    const seq = Number(seqText);
    if (epoch !== this.epoch || !Number.isInteger(seq) || seq > this.seq) return null;
    const oldest = this.buffer[0] ? Number(this.buffer[0].id.split(".")[1]) : this.seq + 1;
    if (seq < oldest - 1) return null; // fell out of the buffer
    return this.buffer.filter((m) => Number(m.id.split(".")[1]) > seq);
  }

  private currentId() {
    return `${this.epoch}.${this.seq}`;
  }

  private publish(event: LiveMessage["event"], data: unknown) {
    if (this.closed) return;
    this.seq += 1;
    const message: LiveMessage = { id: this.currentId(), event, data };
    this.buffer.push(message);
    if (this.buffer.length > BUFFER) this.buffer.shift();
    for (const s of this.subscribers) {
      try {
        s(message);
      } catch {
        // a closed stream is removed by its own cleanup
      }
    }
  }

  /** Runs tasks one after another, so messages go out in the order their changes happened. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch((e: Error) => this.deps.log?.(`live ${this.environmentId}: ${e.message}`));
    return run;
  }
}
