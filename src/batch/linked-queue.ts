// BatchProcessor's intrusive FIFO queue. The queued object carries its own links, so enqueueing
// allocates nothing and an aborted caller leaves the middle of the queue in O(1): the queue
// length is always exact, which is what the `maxQueueSize` bound is measured on.

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
