// Intrusive FIFO queues for the batchers. The queued object carries its own links, so
// enqueueing allocates nothing and an aborted caller leaves the middle of the queue in O(1):
// the queue length is always exact, which is what the `maxQueueSize` bound is measured on.

/** An object that can sit in one {@link LinkedQueue} at a time. */
export interface QueueNode<N> {
  prev: N | undefined
  next: N | undefined
}

/** A doubly linked FIFO of nodes that link themselves. */
export class LinkedQueue<N extends QueueNode<N>> {
  head: N | undefined = undefined
  tail: N | undefined = undefined
  size = 0

  push(node: N): void {
    node.prev = this.tail
    node.next = undefined
    if (this.tail === undefined) this.head = node
    else this.tail.next = node
    this.tail = node
    this.size++
  }

  shift(): N | undefined {
    const node = this.head
    if (node === undefined) return undefined
    this.head = node.next
    if (this.head === undefined) this.tail = undefined
    else this.head.prev = undefined
    node.next = undefined
    this.size--
    return node
  }

  /** Unlinks `node`, which must be in this queue. */
  remove(node: N): void {
    if (node.prev === undefined) this.head = node.next
    else node.prev.next = node.next
    if (node.next === undefined) this.tail = node.prev
    else node.next.prev = node.prev
    node.prev = node.next = undefined
    this.size--
  }
}

/** A node of a {@link PriorityLanes}: its lane and the time it entered, for the wait deadline. */
export interface LaneNode<N> extends QueueNode<N> {
  high: boolean
  enqueuedAt: number
}

/** Two FIFO lanes, `high` served before `normal`; FIFO within each lane. */
export class PriorityLanes<N extends LaneNode<N>> {
  readonly high = new LinkedQueue<N>()
  readonly normal = new LinkedQueue<N>()
  /** Nodes in both lanes (a field, not a getter: it is read on every call). */
  size = 0

  push(node: N): void {
    if (node.high) this.high.push(node)
    else this.normal.push(node)
    this.size++
  }

  peek(): N | undefined {
    return this.high.head ?? this.normal.head
  }

  shift(): N | undefined {
    const node = this.high.size > 0 ? this.high.shift() : this.normal.shift()
    if (node !== undefined) this.size--
    return node
  }

  remove(node: N): void {
    if (node.high) this.high.remove(node)
    else this.normal.remove(node)
    this.size--
  }

  /** When the longest-waiting node entered; Infinity when empty. */
  oldestAt(): number {
    const high = this.high.head
    const normal = this.normal.head
    if (high === undefined) return normal === undefined ? Infinity : normal.enqueuedAt
    return normal === undefined || high.enqueuedAt < normal.enqueuedAt ? high.enqueuedAt : normal.enqueuedAt
  }
}
