/**
 * perfkit for Socket.IO 4: {@link instrumentSocketServer} records connections, disconnect
 * reasons, events in and out and acknowledgement latency into a PerformanceMonitor, and
 * {@link BatchedEmitter} batches what the server sends to each socket, with
 * {@link unpackBatches} to unpack the batches on the client. Socket.IO is an optional peer
 * dependency: this module imports only its types and takes the server as an argument.
 * @module perfkit/socket.io
 */
export { instrumentSocketServer, SOCKET_METRICS, UNHANDLED_EVENT } from './internal/socket-io-instrument'
export type { SocketInstrumentationOptions, SocketServerInstrumentation } from './internal/socket-io-instrument'
export { BatchedEmitter, BATCH_EMITTER_METRICS } from './internal/batched-emitter'
export type { BatchedEmitterOptions, BatchedEmitterStats, EmitOptions, EmitTarget } from './internal/batched-emitter'
export { unpackBatches } from './internal/batch-unpacker'
export type { BatchListener, BatchReceiver, BatchUnpacker, UnpackOptions } from './internal/batch-unpacker'
export { BATCH_EVENT } from './internal/batch-envelope'
export type { BatchEnvelope, BatchMessage } from './internal/batch-envelope'
export { OTHER_LABEL } from './internal/bounded-labels'
export type { MetricsWriter } from '../api/ports'
