export { PerfBus, reportError } from './bus'
export type { BusOption } from './bus'
export type * from './events'
