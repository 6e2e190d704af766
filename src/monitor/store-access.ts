// The HTTP adapters' way to a PerformanceMonitor's store, to keep the series a request writes
// (store.boundSeries). Internal: not exported from the package, and a monitor-like object that
// is not a PerformanceMonitor has no store here, so its writes go through its own methods.
import type { MetricStore } from './store'

const stores = new WeakMap<object, MetricStore>()

export function registerStore(monitor: object, store: MetricStore): void {
  stores.set(monitor, store)
}

/** The store of a PerformanceMonitor; undefined for anything else. */
export function storeOf(monitor: unknown): MetricStore | undefined {
  return typeof monitor === 'object' && monitor !== null ? stores.get(monitor) : undefined
}
