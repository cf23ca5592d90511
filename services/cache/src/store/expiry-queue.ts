/**
 * A min-heap of (expiresAt, key) so expired entries are found without visiting live ones. Stale items
 * (the key was replaced or removed since) are left in place and skipped when they surface.
 */
export class ExpiryQueue {
  private readonly times: number[] = [];
  private readonly keys: string[] = [];

  get size(): number {
    return this.times.length;
  }

  push(expiresAt: number, key: string): void {
    this.times.push(expiresAt);
    this.keys.push(key);
    let i = this.times.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.times[parent]! <= this.times[i]!) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns the items due at `now`, at most `limit`. */
  popDue(now: number, limit: number): Array<[expiresAt: number, key: string]> {
    const due: Array<[number, string]> = [];
    while (due.length < limit && this.times.length > 0 && this.times[0]! <= now) {
      due.push([this.times[0]!, this.keys[0]!]);
      const lastTime = this.times.pop()!;
      const lastKey = this.keys.pop()!;
      if (this.times.length === 0) break;
      this.times[0] = lastTime;
      this.keys[0] = lastKey;
      this.siftDown(0);
    }
    return due;
  }

  clear(): void {
    this.times.length = 0;
    this.keys.length = 0;
  }

  private siftDown(start: number): void {
    let i = start;
    const n = this.times.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && this.times[left]! < this.times[smallest]!) smallest = left;
      if (right < n && this.times[right]! < this.times[smallest]!) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    [this.times[a], this.times[b]] = [this.times[b]!, this.times[a]!];
    [this.keys[a], this.keys[b]] = [this.keys[b]!, this.keys[a]!];
  }
}
