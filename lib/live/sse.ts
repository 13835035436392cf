// Server-sent events over a web ReadableStream: one message per live change (id, event, JSON
// data), a comment every 15 s so proxies keep the connection, and an end after `maxMs` so the
// client reconnects (and is authorized again) with its Last-Event-ID.

/** One message: an environment stream's LiveMessage or a user stream's hint. */
export interface SseMessage {
  id: string;
  event: string;
  data: unknown;
}

const HEARTBEAT_MS = 15_000;
const encoder = new TextEncoder();

export function formatMessage(m: SseMessage): string {
  return `id: ${m.id}\nevent: ${m.event}\ndata: ${JSON.stringify(m.data)}\n\n`;
}

export interface SseSource {
  /** Starts the feed; returns its unsubscribe. */
  subscribe: (send: (m: SseMessage) => void) => Promise<() => void>;
  signal?: AbortSignal;
  maxMs?: number;
  retryMs?: number;
}

export function sseResponse(source: SseSource): Response {
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let open = true;
      const write = (text: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          end();
        }
      };
      const timers: NodeJS.Timeout[] = [];
      let unsubscribe = () => {};
      const end = () => {
        if (!open) return;
        open = false;
        timers.forEach((t) => clearTimeout(t));
        unsubscribe();
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      cleanup = end;
      source.signal?.addEventListener("abort", end);
      write(`retry: ${source.retryMs ?? 1000}\n: connected\n\n`);
      try {
        unsubscribe = await source.subscribe((m) => write(formatMessage(m)));
      } catch (e) {
        write(`event: failure\ndata: ${JSON.stringify({ message: (e as Error).message })}\n\n`);
        end();
        return;
      }
      if (!open) unsubscribe();
      timers.push(setInterval(() => write(": ping\n\n"), HEARTBEAT_MS));
      // "rotate" tells the client this end is planned: it reconnects at once with its last id.
      const rotate = () => {
        write("event: rotate\ndata: {}\n\n");
        end();
      };
      timers.push(setTimeout(rotate, source.maxMs ?? 5 * 60_000));
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      // no-transform: compression would hold messages back until a buffer fills.
      "Cache-Control": "no-cache, no-store, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
}
