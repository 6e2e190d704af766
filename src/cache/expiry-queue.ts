// When each TTL'd entry of a MemoryCache is due, in deadline order, so that an expired entry
// is always removed before a live one is evicted and prune() does not scan the whole cache.
//
// A binary min-heap of (deadline, key) records plus a map of each key's live record. A key
// keeps one live record: writing it again with a later deadline adds nothing (its earlier
// record fires first, and whoever takes it checks the cache for the real remaining TTL and
// schedules again), so overwriting a hot key costs a Map lookup rather than a heap push.

interface ExpiryRecord<K> {
  deadline: number
  key: K
}

export class ExpirySchedule<K> {
  #heap: ExpiryRecord<K>[] = []
  /** key → deadline of its live record. Records not matching it are orphans, skipped on pop. */
  readonly #pending = new Map<K, number>()

  /** Keys with a live record. */
  get size(): number {
    return this.#pending.size
  }

  /** The earliest deadline in the heap (possibly an orphan's), or Infinity. */
  nextDeadline(): number {
    return this.#heap.length === 0 ? Infinity : (this.#heap[0] as ExpiryRecord<K>).deadline
  }

  /** Makes sure `key` is looked at no later than `deadline`. */
  schedule(key: K, deadline: number): void {
    const pending = this.#pending.get(key)
    if (pending !== undefined && pending <= deadline) return
    this.#pending.set(key, deadline)
    this.#push({ deadline, key })
    // Orphans (keys rescheduled earlier, or forgotten) are dropped once they outnumber live records.
    if (this.#heap.length > 2 * this.#pending.size + 1024) this.#compact()
  }

  /** `key` left the cache: its record becomes an orphan. */
  forget(key: K): void {
    this.#pending.delete(key)
  }

  /** Removes and returns the next key due at `now`, or undefined when none is. */
  takeDue(now: number): K | undefined {
    while (this.nextDeadline() <= now) {
      const record = this.#pop() as ExpiryRecord<K>
      if (this.#pending.get(record.key) === record.deadline) {
        this.#pending.delete(record.key)
        return record.key
      }
    }
    return undefined
  }

  clear(): void {
    this.#heap = []
    this.#pending.clear()
  }

  #compact(): void {
    this.#heap = []
    for (const [key, deadline] of this.#pending) this.#push({ deadline, key })
  }

  #push(record: ExpiryRecord<K>): void {
    const heap = this.#heap
    heap.push(record)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = heap[parent] as ExpiryRecord<K>
      if (p.deadline <= record.deadline) break
      heap[i] = p
      i = parent
    }
    heap[i] = record
  }

  #pop(): ExpiryRecord<K> | undefined {
    const heap = this.#heap
    const top = heap[0]
    const last = heap.pop()
    if (top === undefined || last === undefined || heap.length === 0) return top
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      if (left >= heap.length) break
      const right = left + 1
      let child = left
      if (right < heap.length && (heap[right] as ExpiryRecord<K>).deadline < (heap[left] as ExpiryRecord<K>).deadline) child = right
      const c = heap[child] as ExpiryRecord<K>
      if (c.deadline >= last.deadline) break
      heap[i] = c
      i = child
    }
    heap[i] = last
    return top
  }
}
