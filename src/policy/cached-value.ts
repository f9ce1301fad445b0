/**
 * One value read through `load` and kept for `ms`: for what nearly every request reads and rarely
 * changes (the policies). `invalidate()` makes a change made in this process visible at once;
 * other processes see it within `ms`.
 */
export function cachedValue<T>(ms: number, load: () => Promise<T>) {
  let entry: { value: T; until: number } | undefined;
  return {
    async get(): Promise<T> {
      const now = Date.now();
      if (entry && entry.until > now) return entry.value;
      const value = await load();
      entry = { value, until: now + ms };
      return value;
    },
    invalidate(): void {
      entry = undefined;
    },
  };
}
