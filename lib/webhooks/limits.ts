// Reads a webhook request body into a Buffer with a hard size cap, cancelling the stream as soon
// as the cap is passed so an oversized or endless upload is never buffered in full.
import { AppError } from "../errors";

/**
 * Thrown by {@link readBodyWithLimit} when the body is too large. It is an AppError("invalid")
 * (422 through the generic handler) with details { status: 413 }; webhook routes answer 413:
 * `if (error instanceof PayloadTooLarge) return Response.json(..., { status: error.details.status })`.
 */
export class PayloadTooLarge extends AppError {
  declare readonly details: { status: 413; limitBytes: number; receivedBytes: number };
  constructor(message: string, limitBytes: number, receivedBytes: number) {
    super("invalid", message, { status: 413, limitBytes, receivedBytes });
    this.name = "PayloadTooLarge";
  }
}

export const isPayloadTooLarge = (error: unknown): error is PayloadTooLarge => error instanceof PayloadTooLarge;

export async function readBodyWithLimit(request: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isSafeInteger(declared) && declared > maxBytes) {
    // Refuse before reading; release the connection's body without consuming it.
    await request.body?.cancel().catch(() => undefined);
    throw new PayloadTooLarge(`payload is ${declared} bytes; the limit is ${maxBytes} bytes`, maxBytes, declared);
  }
  if (!request.body) return Buffer.alloc(0);

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new PayloadTooLarge(`payload is at least ${total} bytes; the limit is ${maxBytes} bytes`, maxBytes, total);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, total);
}
