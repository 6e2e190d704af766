// startTimer() and time(): durations in seconds on the monitor's clock.
import type { Labels } from '../bus/events/monitor'
import { withLabels } from './labels'
import type { MetricStore } from './store'

export function startTimer(store: MetricStore, name: string, labels: Labels | undefined): (extraLabels?: Labels) => number {
  const clock = store.clock
  const start = clock.now()
  let seconds = -1
  return (extraLabels) => {
    if (seconds >= 0) return seconds
    seconds = Math.max(0, clock.now() - start) / 1000
    store.record(name, seconds, withLabels(labels, extraLabels))
    return seconds
  }
}

/** `db_query_duration_seconds` → `db_query_errors_total`. */
export function errorCounterName(name: string): string {
  return `${name.replace(/_seconds$/, '').replace(/_duration$/, '')}_errors_total`
}

/** Runs `fn`, sync or async, recording its duration; a failure also counts as an error and is re-thrown unchanged. */
export function timeCall<T>(store: MetricStore, name: string, fn: () => T, labels: Labels | undefined): T {
  const end = startTimer(store, name, labels)
  const failed = (): void => store.increment(errorCounterName(name), 1, labels)
  let result: T
  try {
    result = fn()
  } catch (error) {
    end()
    failed()
    throw error
  }
  if (typeof (result as { then?: unknown } | null)?.then !== 'function') {
    end()
    return result
  }
  return (result as PromiseLike<unknown>).then(
    (value) => {
      end()
      return value
    },
    (error: unknown) => {
      end()
      failed()
      throw error
    },
  ) as T
}
