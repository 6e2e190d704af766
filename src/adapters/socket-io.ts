/**
 * perfkit for Socket.IO 4: {@link instrumentSocketServer} records connections, disconnect
 * reasons, events in and out and acknowledgement latency into a PerformanceMonitor, and
 * {@link BatchedEmitter} batches what the server sends to each socket, with
 * {@link unpackBatches} to unpack the batches on the client. Socket.IO is an optional peer
 * dependency: this module imports only its types and takes the server as an argument.
 * @module perfkit/socket.io
 */
export { instrumentSocketServer, SOCKET_METRICS, UNHANDLED_EVENT } from './socket-io-instrument'
export type { SocketInstrumentationOptions, SocketServerInstrumentation } from './socket-io-instrument'
export { BatchedEmitter, BATCH_EMITTER_METRICS } from './batched-emitter'
export type { BatchedEmitterOptions, BatchedEmitterStats, EmitOptions, EmitTarget } from './batched-emitter'
export { unpackBatches } from './socket-io-client'
export type { BatchListener, BatchReceiver, BatchUnpacker, UnpackOptions } from './socket-io-client'
export { BATCH_EVENT } from './batch-envelope'
export type { BatchEnvelope, BatchMessage } from './batch-envelope'
export { OTHER_LABEL } from './bounded-labels'
export type { MetricsWriter } from '../api/ports'
