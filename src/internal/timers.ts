// Timers that never keep the host process alive.

export function unrefTimeout(fn: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(fn, ms)
  timer.unref()
  return timer
}

export function unrefInterval(fn: () => void, ms: number): NodeJS.Timeout {
  const timer = setInterval(fn, ms)
  timer.unref()
  return timer
}

/** Resolves after `ms` without holding the process open; rejects with `signal.reason` on abort. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = unrefTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
