/**
 * Group commit for order checks. A check is sent at once when a lane is free; while every lane
 * waits on the database, checks that arrive queue and leave together in the next round trip. At
 * low load each check therefore goes alone and waits for nothing; under load, many checks share
 * one round trip and one commit instead of each paying for its own.
 */
export class CheckBatcher<I, O> {
  private queue: Array<{ item: I; resolve: (o: O | Promise<O>) => void; reject: (e: Error) => void }> = [];
  private inFlight = 0;

  constructor(
    /** Runs a batch; returns one result, one error or one promise of a result per item, in order. */
    private readonly run: (items: I[]) => Promise<Array<O | Error | Promise<O>>>,
    private readonly maxBatch: number,
    private readonly lanes: number,
  ) {
    if (maxBatch < 1 || lanes < 1) throw new RangeError('maxBatch and lanes must be at least 1');
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.lanes && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      this.run(batch.map((b) => b.item)).then(
        (results) => {
          if (results.length !== batch.length) {
            const e = new Error(`order check batch returned ${results.length} results for ${batch.length} checks`);
            for (const b of batch) b.reject(e);
            return;
          }
          batch.forEach((b, i) => {
            const r = results[i]!;
            if (r instanceof Error) b.reject(r);
            else b.resolve(r);
          });
        },
        (err: unknown) => {
          const e = err instanceof Error ? err : new Error(String(err));
          for (const b of batch) b.reject(e);
        },
      ).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }
}
