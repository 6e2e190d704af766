// Background failures of the API and the adapters go to the bus `error` event; without a listener, to
// stderr at most once a minute, so a broken monitor cannot flood the host's logs.
import type { PerfBus } from '../index'

let lastConsoleReport = -Infinity

/** Reports `error` on `owner.bus` (or stderr, rate-limited). Never throws. */
export function reportToBus(owner: { readonly bus?: PerfBus | undefined } | undefined, error: unknown): void {
  try {
    const wrapped = error instanceof Error ? error : new Error(String(error))
    const bus = owner?.bus
    if (bus !== undefined && bus.hasListeners('error')) {
      bus.emit('error', wrapped)
      return
    }
    const now = Date.now()
    if (now - lastConsoleReport < 60_000) return
    lastConsoleReport = now
    console.error('[perfkit]', wrapped)
  } catch {
    // Reporting must not fail the request it was reporting about.
  }
}
