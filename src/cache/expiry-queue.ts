// A binary min-heap of (deadline, key) records. MemoryCache uses it to find expired entries
// in deadline order, so that an expired entry is always removed before a live one is evicted
// and prune() does not scan the whole cache.
//
// Records are never updated in place: a key that is set again simply gets another record.
// Whoever pops a record checks the cache for the key's real deadline, so a superseded record
// costs one extra pop and nothing else.

export interface ExpiryRecord<K> {
  deadline: number
  key: K
}

export class ExpiryQueue<K> {
  #heap: ExpiryRecord<K>[] = []

  get length(): number {
    return this.#heap.length
  }

  /** The earliest deadline, or Infinity when empty. */
  peekDeadline(): number {
    return this.#heap.length === 0 ? Infinity : (this.#heap[0] as ExpiryRecord<K>).deadline
  }

  push(deadline: number, key: K): void {
    const heap = this.#heap
    heap.push({ deadline, key })
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = heap[parent] as ExpiryRecord<K>
      const c = heap[i] as ExpiryRecord<K>
      if (p.deadline <= c.deadline) break
      heap[parent] = c
      heap[i] = p
      i = parent
    }
  }

  pop(): ExpiryRecord<K> | undefined {
    const heap = this.#heap
    const top = heap[0]
    const last = heap.pop()
    if (top === undefined || last === undefined || heap.length === 0) return top
    heap[0] = last
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < heap.length && (heap[left] as ExpiryRecord<K>).deadline < (heap[smallest] as ExpiryRecord<K>).deadline) smallest = left
      if (right < heap.length && (heap[right] as ExpiryRecord<K>).deadline < (heap[smallest] as ExpiryRecord<K>).deadline) smallest = right
      if (smallest === i) break
      const tmp = heap[i] as ExpiryRecord<K>
      heap[i] = heap[smallest] as ExpiryRecord<K>
      heap[smallest] = tmp
      i = smallest
    }
    return top
  }

  clear(): void {
    this.#heap = []
  }
}
