import { describe, expect, it } from 'vitest';
import { CheckBatcher } from './check-batcher.js';

/** A runner whose round trips the test finishes by hand, recording what each one carried. */
function manualRunner() {
  const calls: Array<{ items: number[]; finish: (results?: Array<string | Error>) => void; fail: (e: Error) => void }> = [];
  const run = (items: number[]) =>
    new Promise<Array<string | Error>>((resolve, reject) => {
      calls.push({ items, finish: (results) => resolve(results ?? items.map((i) => `r${i}`)), fail: reject });
    });
  return { calls, run };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('CheckBatcher', () => {
  it('sends a check at once, alone, when a lane is free', async () => {
    const { calls, run } = manualRunner();
    const batcher = new CheckBatcher(run, 64, 1);
    const answer = batcher.submit(1);
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    calls[0]!.finish();
    await expect(answer).resolves.toBe('r1');
  });

  it('queues checks while every lane is busy and sends them together, in arrival order, at most maxBatch at a time', async () => {
    const { calls, run } = manualRunner();
    const batcher = new CheckBatcher(run, 3, 2);
    const answers = [1, 2, 3, 4, 5, 6, 7].map((i) => batcher.submit(i));
    // Two lanes: 1 and 2 leave alone; 3…7 wait.
    expect(calls.map((c) => c.items)).toEqual([[1], [2]]);
    calls[1]!.finish();
    await settle();
    expect(calls.map((c) => c.items)).toEqual([[1], [2], [3, 4, 5]]);
    calls[0]!.finish();
    await settle();
    expect(calls.map((c) => c.items)).toEqual([[1], [2], [3, 4, 5], [6, 7]]);
    calls[2]!.finish();
    calls[3]!.finish();
    await expect(Promise.all(answers)).resolves.toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
  });

  it("gives each check its own error, and a failed round trip's error to every check in it", async () => {
    const { calls, run } = manualRunner();
    const batcher = new CheckBatcher(run, 10, 1);
    const first = batcher.submit(1);
    const [a, b, c] = [2, 3, 4].map((i) => batcher.submit(i));
    calls[0]!.finish();
    await settle();
    calls[1]!.finish(['r2', new Error('no customer'), 'r4']);
    await expect(first).resolves.toBe('r1');
    await expect(a).resolves.toBe('r2');
    await expect(b).rejects.toThrow('no customer');
    await expect(c).resolves.toBe('r4');

    await settle();
    const blocker = batcher.submit(5);
    const [d, e] = [6, 7].map((i) => batcher.submit(i));
    calls[2]!.finish();
    await settle();
    expect(calls[3]!.items).toEqual([6, 7]);
    calls[3]!.fail(new Error('connection lost'));
    await expect(blocker).resolves.toBe('r5');
    await expect(d).rejects.toThrow('connection lost');
    await expect(e).rejects.toThrow('connection lost');
    // The lane is free again afterwards.
    await settle();
    const f = batcher.submit(8);
    calls[4]!.finish();
    await expect(f).resolves.toBe('r8');
  });

  it('rejects every check of a round trip that answers the wrong number of results', async () => {
    const { calls, run } = manualRunner();
    const batcher = new CheckBatcher(run, 10, 1);
    const first = batcher.submit(1);
    const [a, b] = [2, 3].map((i) => batcher.submit(i));
    calls[0]!.finish();
    await settle();
    calls[1]!.finish(['r2']);
    await expect(first).resolves.toBe('r1');
    await expect(a).rejects.toThrow('1 results for 2 checks');
    await expect(b).rejects.toThrow('1 results for 2 checks');
  });

  it('refuses a batch size or a lane count below 1', () => {
    const { run } = manualRunner();
    expect(() => new CheckBatcher(run, 0, 1)).toThrow(RangeError);
    expect(() => new CheckBatcher(run, 1, 0)).toThrow(RangeError);
  });
});
