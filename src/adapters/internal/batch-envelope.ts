// The wire format of a BatchedEmitter batch, shared by the server side and the client helper
// (which must not load anything from Node, so this file imports nothing).

/**
 * The event batches travel as, unless configured otherwise.
 * @example
 * ```ts
 * socket.on(BATCH_EVENT, (envelope: BatchEnvelope) => console.log('batch', envelope.s))
 * ```
 */
export const BATCH_EVENT = 'perfkit:batch'

/**
 * One message of a batch: the event name and, when there is one, its data.
 * @example
 * ```ts
 * const message: BatchMessage = ['progress', { step: 3 }]
 * ```
 */
export type BatchMessage = readonly [event: string, data?: unknown]

/**
 * A batch on the wire: version, per-socket sequence number, and either the messages (`m`)
 * or their JSON deflated (raw deflate, RFC 1951) in `z`.
 * @example
 * ```ts
 * const envelope: BatchEnvelope = { v: 1, s: 0, m: [['progress', 1], ['progress', 2]] }
 * ```
 */
export type BatchEnvelope =
  | { v: 1; s: number; m: readonly BatchMessage[] }
  | { v: 1; s: number; z: Uint8Array | ArrayBuffer }
