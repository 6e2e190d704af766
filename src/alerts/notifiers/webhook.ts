import type { AlertNotification } from '../../bus/events/alerts'
import { NotifierError, PerfkitConfigError, messageOf } from '../../errors'
import { delay } from '../../internal/timers'
import { bool, nonNegativeInt, positiveFinite } from '../../internal/validate'
import type { AlertNotifier } from '../types'
import { baseNotifier, type NotifierOptions } from './callback'
import { alertmanagerPayload, slackPayload } from './format'

/**
 * Options of {@link webhookNotifier}.
 * @example
 * ```ts
 * const hook = webhookNotifier({ url: 'https://alerts.example.com/hook', headers: { authorization: `Bearer ${token}` }, retries: 5, timeoutMs: 5000 })
 * ```
 */
export interface WebhookNotifierOptions extends NotifierOptions {
  /** http(s) URL the notification is POSTed to. */
  url: string | URL
  /** Extra request headers (e.g. `authorization`). */
  headers?: Readonly<Record<string, string>>
  /**
   * The JSON body: `'alertmanager'` (Alertmanager's webhook format, version 4), `'slack'` (a
   * Slack incoming-webhook message), or a function returning any JSON-serializable value.
   * @defaultValue `'alertmanager'`
   */
  format?: 'alertmanager' | 'slack' | ((notification: AlertNotification) => unknown)
  /** Time allowed for each attempt, ms. @defaultValue 10_000 */
  timeoutMs?: number
  /** Retries after the first attempt, on network errors, timeouts, 408, 425, 429 and 5xx. @defaultValue 3 */
  retries?: number
  /** Delay before the first retry, doubled for each next one, ms. @defaultValue 1000 */
  backoffMs?: number
  /** Longest delay between attempts, ms (also caps a `Retry-After`). @defaultValue 30_000 */
  maxBackoffMs?: number
  /** Randomize each delay between half and all of it, so many engines do not retry in step. @defaultValue true */
  jitter?: boolean
  /** The fetch implementation. @defaultValue `globalThis.fetch` */
  fetch?: typeof fetch
}

const retryable = (status: number): boolean => status === 408 || status === 425 || status === 429 || status >= 500

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const date = Date.parse(header)
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined
}

/**
 * A notifier that POSTs each notification as JSON, with a timeout per attempt and retries with
 * exponential backoff. A 4xx other than 408/425/429 fails at once. Failures reach the engine
 * as a {@link NotifierError} with the number of attempts.
 * @example
 * ```ts
 * const slack = webhookNotifier({ url: process.env.SLACK_WEBHOOK_URL!, format: 'slack', minSeverity: 'critical' })
 * const engine = new AlertEngine({ monitor, notifiers: [slack] })
 * ```
 */
export function webhookNotifier(options: WebhookNotifierOptions): AlertNotifier {
  const { url, headers = {}, format = 'alertmanager', timeoutMs = 10_000, retries = 3, backoffMs = 1000, maxBackoffMs = 30_000, jitter = true } = options
  const base = baseNotifier(options, 'webhook')
  let target: URL
  try {
    target = new URL(url)
  } catch (cause) {
    throw new PerfkitConfigError('url', 'an absolute http(s) URL', String(url), { cause })
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new PerfkitConfigError('url', 'an http: or https: URL', target.href)
  if (format !== 'alertmanager' && format !== 'slack' && typeof format !== 'function') {
    throw new PerfkitConfigError('format', "'alertmanager', 'slack' or a function", format)
  }
  positiveFinite('timeoutMs', timeoutMs)
  nonNegativeInt('retries', retries)
  positiveFinite('backoffMs', backoffMs)
  positiveFinite('maxBackoffMs', maxBackoffMs)
  bool('jitter', jitter)
  for (const [k, v] of Object.entries(headers)) if (typeof v !== 'string') throw new PerfkitConfigError(`headers.${k}`, 'a string', v)
  const fetchFn = options.fetch ?? globalThis.fetch
  if (typeof fetchFn !== 'function') throw new PerfkitConfigError('fetch', 'a fetch function (Node >= 18 has one)', fetchFn)
  const render = (n: AlertNotification): unknown =>
    format === 'slack' ? slackPayload(n) : format === 'alertmanager' ? alertmanagerPayload(n, base.name) : format(n)

  return {
    ...base,
    async notify(notification, signal) {
      const body = JSON.stringify(render(notification))
      let lastError: unknown
      for (let attempt = 1; ; attempt++) {
        let waitHint: number | undefined
        try {
          const response = await fetchFn(target, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body,
            signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
          })
          const text = await response.text().catch(() => '')
          if (response.ok) return
          lastError = new Error(`HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`)
          if (!retryable(response.status)) throw new NotifierError(base.name, messageOf(lastError), attempt, { cause: lastError })
          waitHint = retryAfterMs(response.headers.get('retry-after'))
        } catch (error) {
          if (error instanceof NotifierError) throw error
          if (signal.aborted) throw new NotifierError(base.name, `aborted: ${messageOf(signal.reason)}`, attempt, { cause: signal.reason })
          lastError = error
        }
        if (attempt > retries) throw new NotifierError(base.name, `${messageOf(lastError)} (after ${attempt} attempts)`, attempt, { cause: lastError })
        let wait = Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1))
        if (jitter) wait = wait / 2 + Math.random() * (wait / 2)
        if (waitHint !== undefined) wait = Math.min(maxBackoffMs, Math.max(wait, waitHint))
        try {
          await delay(wait, signal)
        } catch {
          throw new NotifierError(base.name, `aborted: ${messageOf(signal.reason)}`, attempt, { cause: lastError })
        }
      }
    },
  }
}
