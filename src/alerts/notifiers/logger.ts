import type { AlertNotification, NotifiedAlert } from '../../bus/events/alerts'
import { PerfkitConfigError } from '../../errors'
import type { AlertNotifier } from '../types'
import { baseNotifier, type NotifierOptions } from './callback'
import { formatAlertLine } from './format'

/**
 * What the logger notifier writes to: `console`, pino, winston and most loggers fit.
 * @example
 * ```ts
 * const logger: AlertLogger = { info: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m) }
 * new AlertEngine({ monitor, notifiers: [loggerNotifier({ logger })] })
 * ```
 */
export interface AlertLogger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

/**
 * Options of {@link loggerNotifier}.
 * @example
 * ```ts
 * loggerNotifier({ logger: pino(), minSeverity: 'critical', format: (alert) => `${alert.reason} ${alert.ruleId}: ${alert.annotations.summary}` })
 * ```
 */
export interface LoggerNotifierOptions extends NotifierOptions {
  /** @defaultValue `console` */
  logger?: AlertLogger
  /** Renders one alert of a notification as one log line. @defaultValue `[FIRING] critical rule: summary` */
  format?: (alert: NotifiedAlert, notification: AlertNotification) => string
}

/**
 * A notifier that writes one line per alert: critical firing alerts at `error`, warnings at
 * `warn`, resolutions and acknowledgements at `info`.
 * @example
 * ```ts
 * new AlertEngine({ monitor, notifiers: [loggerNotifier({ logger: pino() })] })
 * ```
 */
export function loggerNotifier(options: LoggerNotifierOptions = {}): AlertNotifier {
  const { logger = console, format = formatAlertLine } = options
  for (const level of ['info', 'warn', 'error'] as const) {
    if (typeof logger?.[level] !== 'function') throw new PerfkitConfigError('logger', 'an object with info(), warn() and error()', logger)
  }
  if (typeof format !== 'function') throw new PerfkitConfigError('format', 'a function', format)
  return {
    ...baseNotifier(options, 'logger'),
    notify(notification) {
      for (const alert of notification.alerts) {
        const line = format(alert, notification)
        if (alert.reason === 'resolved' || alert.reason === 'acknowledged') logger.info(line)
        else if (alert.severity === 'critical') logger.error(line)
        else logger.warn(line)
      }
    },
  }
}
