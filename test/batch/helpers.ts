// Test helpers for the batch primitives.

/**
 * The clock for tests: under `vi.useFakeTimers()` it moves with the timers. (The default clock,
 * `performance` captured at import, is not the object fake timers replace.)
 */
export const fakeNow = (): number => Date.now()

export interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
  reject: (reason: unknown) => void
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** Watches a promise without awaiting it: how it settled, and how many times (must be once). */
export interface Tracked<T> {
  status: 'pending' | 'fulfilled' | 'rejected'
  value: T | undefined
  error: unknown
  settlements: number
}

export function track<T>(promise: Promise<T>): Tracked<T> {
  const state: Tracked<T> = { status: 'pending', value: undefined, error: undefined, settlements: 0 }
  promise.then(
    (value) => {
      state.status = 'fulfilled'
      state.value = value
      state.settlements++
    },
    (error: unknown) => {
      state.status = 'rejected'
      state.error = error
      state.settlements++
    },
  )
  return state
}

/** Lets every queued microtask (and the promise chains they start) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

/** A batch function whose batches the test resolves or rejects by hand. */
export function manualModel<I, O>(compute: (input: I) => O | Error) {
  const batches: Array<{ inputs: I[]; done: Deferred<Array<O | Error>>; complete: () => void }> = []
  const predictMany = (inputs: I[]): Promise<Array<O | Error>> => {
    const done = deferred<Array<O | Error>>()
    batches.push({ inputs, done, complete: () => done.resolve(inputs.map(compute)) })
    return done.promise
  }
  return { predictMany, batches }
}
