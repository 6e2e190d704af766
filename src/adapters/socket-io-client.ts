/**
 * The client half of perfkit's Socket.IO batching, for browsers and Node clients alike:
 * {@link unpackBatches} hands every message of the batches a server's `BatchedEmitter`
 * (from `perfkit/socket.io`) sends to the socket's own listeners, one by one and in order. It
 * imports nothing from Node and nothing from the server side, so a browser bundle that imports
 * it stays small. `perfkit/socket.io` exports the same names too.
 * @module perfkit/socket.io/client
 */
export { unpackBatches } from './internal/batch-unpacker'
export type { BatchListener, BatchReceiver, BatchUnpacker, UnpackOptions } from './internal/batch-unpacker'
export { BATCH_EVENT } from './internal/batch-envelope'
export type { BatchEnvelope, BatchMessage } from './internal/batch-envelope'
