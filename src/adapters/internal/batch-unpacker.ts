/**
 * The client half of BatchedEmitter: {@link unpackBatches} unpacks each batch and hands its
 * messages, one by one and in order, to the socket's own listeners. It imports nothing from
 * Node (decompression uses the standard `DecompressionStream`), so it runs in browsers and in
 * Node 18+ with socket.io-client alike.
 *
 */
import { BATCH_EVENT, type BatchEnvelope, type BatchMessage } from './batch-envelope'

/**
 * A listener of a client socket. socket.io-client types listeners with `any` arguments; so
 * must this, to accept its Socket.
 * @example
 * ```ts
 * const onProgress: BatchListener = (step) => render(step)
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type BatchListener = (...args: any[]) => void
type Listener = BatchListener

/**
 * What {@link unpackBatches} needs of a client socket: a socket.io-client `Socket` fits.
 * @example
 * ```ts
 * const receiver: BatchReceiver = io('http://localhost:3000')
 * ```
 */
export interface BatchReceiver {
  on(event: string, listener: Listener): unknown
  off(event: string, listener: Listener): unknown
  listeners(event: string): Listener[]
  listenersAny?(): Listener[]
}

/**
 * Options of {@link unpackBatches}.
 * @example
 * ```ts
 * unpackBatches(socket, { event: 'updates', onError: (error) => log.warn(error) })
 * ```
 */
export interface UnpackOptions {
  /** The batch event, as configured on the server's BatchedEmitter. @defaultValue `'perfkit:batch'` */
  event?: string
  /** Called when a batch cannot be read or a listener throws; the next messages still run. @defaultValue `console.error` */
  onError?: (error: unknown) => void
}

/**
 * What {@link unpackBatches} returns.
 * @example
 * ```ts
 * const unpacker = unpackBatches(socket)
 * await unpacker.idle() // every batch received so far is delivered
 * unpacker.stop()
 * ```
 */
export interface BatchUnpacker {
  /** Stops listening for batches. Batches already received are still delivered. */
  stop(): void
  /** Resolves once every batch received so far has been delivered (compressed ones inflate asynchronously). */
  idle(): Promise<void>
}

/**
 * Listens for BatchedEmitter batches on `socket` and dispatches every message to the
 * socket's listeners for its event (and to `onAny` listeners), in the order the server
 * queued them, compressed batches included.
 *
 * @example
 * ```ts
 * import { io } from 'socket.io-client'
 * import { unpackBatches } from 'perfkit/socket.io/client'
 *
 * const socket = io('http://localhost:3000')
 * const unpacker = unpackBatches(socket)
 * socket.on('progress', (step) => render(step)) // called once per message, as if sent alone
 * // later: unpacker.stop()
 * ```
 */
export function unpackBatches(socket: BatchReceiver, options: UnpackOptions = {}): BatchUnpacker {
  const { event = BATCH_EVENT, onError = (error: unknown) => console.error('[perfkit] batch', error) } = options
  // Batches that need decompression finish asynchronously; later ones wait behind them so
  // the order on the wire is the order of delivery.
  let pending: Promise<void> | undefined
  let waiting = 0

  const deliver = (messages: readonly BatchMessage[]): void => {
    for (const message of messages) {
      if (!Array.isArray(message) || typeof message[0] !== 'string') {
        onError(new TypeError('a batch message is not [event, data]'))
        continue
      }
      const [name, ...rest] = message
      for (const listener of socket.listeners(name)) call(listener, rest)
      if (socket.listenersAny !== undefined) for (const listener of socket.listenersAny()) call(listener, [name, ...rest])
    }
  }
  const call = (listener: Listener, args: unknown[]): void => {
    try {
      listener(...args)
    } catch (error) {
      onError(error)
    }
  }

  const onBatch = (envelope: BatchEnvelope): void => {
    if (typeof envelope !== 'object' || envelope === null || envelope.v !== 1) {
      onError(new TypeError('not a perfkit batch'))
      return
    }
    if ('m' in envelope && waiting === 0) {
      deliver(envelope.m)
      return
    }
    waiting++
    const previous = pending ?? Promise.resolve()
    pending = previous
      .then(() => ('m' in envelope ? envelope.m : inflate(envelope.z)))
      .then(deliver, onError)
      .finally(() => {
        waiting--
      })
  }

  socket.on(event, onBatch as Listener)
  return {
    stop: () => {
      socket.off(event, onBatch as Listener)
    },
    idle: () => pending ?? Promise.resolve(),
  }
}

async function inflate(data: Uint8Array | ArrayBuffer): Promise<readonly BatchMessage[]> {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data)
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw'))
  const text = await new Response(stream).text()
  return JSON.parse(text) as readonly BatchMessage[]
}
