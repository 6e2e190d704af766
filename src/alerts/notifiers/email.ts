import { PerfkitConfigError, messageOf } from '../../errors'
import { nonEmptyString } from '../../internal/validate'
import type { AlertNotification } from '../../bus/events/alerts'
import type { AlertNotifier } from '../types'
import { baseNotifier, type NotifierOptions } from './callback'
import { formatText, formatTitle } from './format'

/**
 * The message handed to the transporter (a subset of nodemailer's).
 * @example
 * ```ts
 * const transport: EmailTransporter = { sendMail: (message: EmailMessage) => mailApi.send({ to: message.to, subject: message.subject, body: message.text }) }
 * ```
 */
export interface EmailMessage {
  from: string
  to: string[]
  subject: string
  text: string
}

/**
 * A ready mail transporter: a nodemailer `Transporter` fits.
 * @example
 * ```ts
 * const transport: EmailTransporter = nodemailer.createTransport({ host: 'smtp.example.com', port: 587 })
 * const email = await emailNotifier({ transport, from: 'alerts@example.com', to: 'oncall@example.com' })
 * ```
 */
export interface EmailTransporter {
  sendMail(message: EmailMessage): Promise<unknown>
  close?(): void
}

/**
 * Options of {@link emailNotifier}.
 * @example
 * ```ts
 * const email = await emailNotifier({
 *   transport: 'smtps://user:pass@smtp.example.com', from: 'alerts@example.com', to: ['oncall@example.com', 'ml@example.com'],
 *   subject: (n) => `[${n.status}] ${n.alerts.length} alert(s)`,
 * })
 * ```
 */
export interface EmailNotifierOptions extends NotifierOptions {
  /**
   * nodemailer transport options (`{ host, port, secure, auth }`, an SMTP URL…), which need
   * the optional peer dependency `nodemailer`, or a transporter you built yourself.
   */
  transport: EmailTransporter | Record<string, unknown> | string
  from: string
  to: string | readonly string[]
  /** @defaultValue `'[perfkit] '` followed by the notification title */
  subject?: (notification: AlertNotification) => string
  /** @defaultValue a plain-text list of the alerts */
  text?: (notification: AlertNotification) => string
}

// A variable keeps bundlers from resolving (and inlining) the optional peer at build time.
const nodemailerModule = 'nodemailer'

interface Nodemailer {
  createTransport(options: unknown): EmailTransporter
}

async function loadNodemailer(): Promise<Nodemailer> {
  const mod = (await import(nodemailerModule)) as Nodemailer & { default?: Nodemailer }
  const api = typeof mod.createTransport === 'function' ? mod : mod.default
  if (api === undefined || typeof api.createTransport !== 'function') throw new Error('the module has no createTransport()')
  return api
}

function isTransporter(value: unknown): value is EmailTransporter {
  return typeof value === 'object' && value !== null && typeof (value as EmailTransporter).sendMail === 'function'
}

/**
 * A notifier that emails each notification. Resolves once the transport is ready: building
 * one from options loads the optional peer `nodemailer` now, and rejects with a
 * PerfkitConfigError saying so when it is not installed.
 * @example
 * ```ts
 * const email = await emailNotifier({
 *   transport: { host: 'smtp.example.com', port: 587, auth: { user, pass } },
 *   from: 'alerts@example.com',
 *   to: ['oncall@example.com'],
 *   minSeverity: 'critical',
 * })
 * const engine = new AlertEngine({ monitor, notifiers: [email] })
 * ```
 */
export async function emailNotifier(options: EmailNotifierOptions): Promise<AlertNotifier> {
  const { transport, from, to, subject = (n) => `[perfkit] ${formatTitle(n)}`, text = formatText } = options
  const base = baseNotifier(options, 'email')
  nonEmptyString('from', from)
  const recipients = typeof to === 'string' ? [to] : [...(to ?? [])]
  if (recipients.length === 0) throw new PerfkitConfigError('to', 'an address or a non-empty array of addresses', to)
  recipients.forEach((r, i) => nonEmptyString(`to[${i}]`, r))
  if (typeof subject !== 'function') throw new PerfkitConfigError('subject', 'a function', subject)
  if (typeof text !== 'function') throw new PerfkitConfigError('text', 'a function', text)
  let transporter: EmailTransporter
  if (isTransporter(transport)) transporter = transport
  else {
    if (typeof transport !== 'string' && (typeof transport !== 'object' || transport === null)) {
      throw new PerfkitConfigError('transport', 'a transporter with sendMail(), nodemailer transport options or an SMTP URL', transport)
    }
    let nodemailer: Nodemailer
    try {
      nodemailer = await loadNodemailer()
    } catch (cause) {
      throw new PerfkitConfigError(
        'transport',
        `a transporter with sendMail(): building one from options needs the optional peer dependency nodemailer (npm install nodemailer), which could not be loaded (${messageOf(cause)})`,
        // Never echo the options themselves: they usually hold credentials.
        typeof transport === 'string' ? '(an SMTP URL)' : '(transport options)',
        { cause },
      )
    }
    transporter = nodemailer.createTransport(transport)
  }
  return {
    ...base,
    async notify(notification) {
      await transporter.sendMail({ from, to: recipients, subject: subject(notification), text: text(notification) })
    },
    close() {
      transporter.close?.()
    },
  }
}
