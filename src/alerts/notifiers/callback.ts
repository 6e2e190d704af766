import type { AlertNotification, AlertSeverity } from '../../bus/events/alerts'
import { func, nonEmptyString, oneOf } from '../../internal/validate'
import type { AlertNotifier } from '../types'

/**
 * Options shared by every built-in notifier.
 * @example
 * ```ts
 * engine.addNotifier(callbackNotifier((n) => pager.send(n), { name: 'pager', minSeverity: 'critical' }))
 * ```
 */
export interface NotifierOptions {
  /** Names the notifier in stats and `alert:notifier-failed` events; unique per engine. */
  name?: string
  /** Only alerts at least this severe reach this notifier. @defaultValue all */
  minSeverity?: AlertSeverity
}

/** Validates the shared options; `fallback` is the default name. */
export function baseNotifier(options: NotifierOptions, fallback: string): { name: string; minSeverity?: AlertSeverity } {
  const name = nonEmptyString('name', options.name ?? fallback)
  if (options.minSeverity === undefined) return { name }
  return { name, minSeverity: oneOf('minSeverity', options.minSeverity, ['warning', 'critical'] as const) }
}

/**
 * A notifier that calls a function with every notification. The function may be async; a
 * throw or rejection counts as a failed delivery.
 * @example
 * ```ts
 * const engine = new AlertEngine({
 *   monitor,
 *   notifiers: [callbackNotifier((n) => pager.send(n), { name: 'pager', minSeverity: 'critical' })],
 * })
 * ```
 */
export function callbackNotifier(
  callback: (notification: AlertNotification, signal: AbortSignal) => unknown,
  options: NotifierOptions = {},
): AlertNotifier {
  const fn = func<typeof callback>('callback', callback)
  return {
    ...baseNotifier(options, 'callback'),
    async notify(notification, signal) {
      await fn(notification, signal)
    },
  }
}
