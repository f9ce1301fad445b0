import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** What PGLiteSocketServer's internal query queue holds (pglite-socket 0.2.x). */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(bytes: number): void;
  reject(err: unknown): void;
  onData(data: Uint8Array): void;
}
interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

const code = (c: string) => c.charCodeAt(0);
// Extended query protocol messages: Parse, Bind, Describe, Execute, Close, Flush; CopyData.
const OPENS = new Set(['P', 'B', 'D', 'E', 'C', 'H', 'd'].map(code));
// Sync and a simple Query end a batch (the backend answers ReadyForQuery); CopyDone and CopyFail end a COPY.
const CLOSES = new Set(['S', 'Q', 'c', 'f'].map(code));
const COPY_FROM_STDIN = /^\s*copy\b[\s\S]*\bfrom\s+stdin\b/i;

/**
 * Every connection of the socket server shares one PGlite session. pglite-socket 0.2.x keeps a
 * connection's messages together only inside a transaction, so two connections' extended-protocol
 * batches (Parse/Bind/Execute/Sync) can interleave and bind each other's unnamed statement: wrong
 * parameters, or silently wrong rows (electric-sql/pglite#1046). This keeps a connection pinned
 * from the first message of a batch to its Sync (or through a COPY … FROM STDIN), as in a
 * transaction, and keeps the queue running after a failed message instead of stalling it.
 */
export function pinProtocolBatches(server: PGLiteSocketServer, db: PGlite): void {
  const q = (server as unknown as { queryQueue: QueryQueue }).queryQueue;
  if (!q || typeof q.processQueue !== 'function' || !Array.isArray(q.queue)) {
    throw new Error('pglite-socket internals changed: review src/db/embedded-queue.ts before upgrading');
  }
  const inBatch = new Set<number>();
  const decoder = new TextDecoder();

  q.processQueue = async function processQueue(this: QueryQueue) {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const last = this.lastHandlerId;
        const pinned = last !== null && (db.isInTransaction() || inBatch.has(last));
        let item: QueuedMessage | undefined;
        if (pinned) {
          const at = this.queue.findIndex((m) => m.handlerId === last);
          // Wait for the pinned connection's next message; its arrival restarts the queue.
          if (at === -1) break;
          item = this.queue.splice(at, 1)[0];
        } else item = this.queue.shift();
        if (!item) break;
        const type = item.message[0]!;
        let bytes = 0;
        try {
          await db.runExclusive(() => db.execProtocolRawStream(item.message, { onRawData: (d: Uint8Array) => ((bytes += d.length), item.onData(d)) }));
        } catch (err) {
          inBatch.delete(item.handlerId);
          this.lastHandlerId = item.handlerId;
          item.reject(err);
          continue;
        }
        if (type === code('Q') && COPY_FROM_STDIN.test(decoder.decode(item.message.subarray(5)))) inBatch.add(item.handlerId);
        else if (CLOSES.has(type)) inBatch.delete(item.handlerId);
        else if (OPENS.has(type)) inBatch.add(item.handlerId);
        this.lastHandlerId = item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };

  // A connection that goes away mid-batch must not keep the others waiting.
  const clear = q.clearQueueForHandler.bind(q);
  q.clearQueueForHandler = (handlerId: number) => {
    clear(handlerId);
    if (inBatch.delete(handlerId) && q.lastHandlerId === handlerId) void q.processQueue();
  };
}
