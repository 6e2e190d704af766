import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AlertEngine, type AlertNotifierFailedEvent, emailNotifier, PerfkitConfigError } from 'perfkit'
import { ManualClock } from '../helpers/clock'
import { FakeSource } from './helpers'

/** The message body, quoted-printable decoded. */
function bodyOf(raw: string): string {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4)
  return body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
}

interface Mail {
  from: string | undefined
  to: string[]
  raw: string
}

describe('emailNotifier against a real SMTP server', () => {
  const mails: Mail[] = []
  let smtp: SMTPServer
  let port = 0

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let raw = ''
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString()))
        stream.on('end', () => {
          const from = session.envelope.mailFrom
          mails.push({ from: from === false ? undefined : from.address, to: session.envelope.rcptTo.map((r) => r.address), raw })
          callback()
        })
      },
    })
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
    port = (smtp.server.address() as AddressInfo).port
  })

  afterAll(async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()))
  })

  it('emails a firing and then a resolved notification, with subject and body', async () => {
    const email = await emailNotifier({
      transport: { host: '127.0.0.1', port, secure: false, ignoreTLS: true },
      from: 'alerts@perfkit.test',
      to: ['oncall@perfkit.test', 'lead@perfkit.test'],
    })
    const clock = new ManualClock()
    const source = new FakeSource()
    const engine = new AlertEngine({ monitor: source, now: clock.now, intervalMs: 0, groupWaitMs: 0, groupIntervalMs: 0, notifiers: [email] })
    engine.addRule({ id: 'memory-usage', metric: 'system_memory_usage_percent', op: '>', warning: 80, critical: 95, description: 'Memory is running out' })
    const failures: AlertNotifierFailedEvent[] = []
    engine.bus.on('alert:notifier-failed', (e) => failures.push(e))

    source.set('system_memory_usage_percent', 88)
    engine.evaluate()
    clock.advance(1000)
    source.set('system_memory_usage_percent', 40)
    engine.evaluate()
    await engine.close()

    expect(failures).toEqual([])
    expect(mails).toHaveLength(2)
    const [firing, resolved] = mails as [Mail, Mail]
    expect(firing.from).toBe('alerts@perfkit.test')
    expect(firing.to).toEqual(['oncall@perfkit.test', 'lead@perfkit.test'])
    expect(firing.raw).toMatch(/^Subject: \[perfkit\] \[FIRING:1\] memory-usage$/m)
    expect(firing.raw).toMatch(/^To: oncall@perfkit\.test, lead@perfkit\.test$/m)
    expect(firing.raw).toMatch(/^Content-Type: text\/plain; charset=utf-8$/m)
    expect(bodyOf(firing.raw)).toContain('[FIRING] warning memory-usage: system_memory_usage_percent is 88 (warning: > 80)')
    expect(bodyOf(firing.raw)).toContain('labels: metric=system_memory_usage_percent, alertname=memory-usage, severity=warning')
    expect(bodyOf(firing.raw)).toContain('Memory is running out')
    expect(resolved.raw).toMatch(/^Subject: \[perfkit\] \[RESOLVED\] memory-usage$/m)
    expect(bodyOf(resolved.raw)).toContain('[RESOLVED] warning memory-usage')
    expect(engine.stats().notifiers[0]).toMatchObject({ name: 'email', sent: 2, failed: 0 })
  })

  it('rejects when the SMTP server cannot be reached', async () => {
    const email = await emailNotifier({
      transport: { host: '127.0.0.1', port: 1, secure: false, ignoreTLS: true, connectionTimeout: 2000 },
      from: 'alerts@perfkit.test',
      to: 'oncall@perfkit.test',
      name: 'dead-smtp',
    })
    const notification = { id: 7, groupKey: 'k', groupLabels: {}, status: 'firing', repeat: false, alerts: [], at: 0 } as const
    await expect(Promise.resolve(email.notify(notification, new AbortController().signal))).rejects.toThrow()
  })

  it('accepts a ready transporter and validates its options', async () => {
    const sent: unknown[] = []
    const email = await emailNotifier({ transport: { sendMail: async (m) => void sent.push(m) }, from: 'a@b.c', to: 'x@y.z', subject: () => 'custom' })
    await email.notify({ id: 1, groupKey: 'k', groupLabels: {}, status: 'resolved', repeat: false, alerts: [], at: 0 }, new AbortController().signal)
    expect(sent).toMatchObject([{ from: 'a@b.c', to: ['x@y.z'], subject: 'custom' }])
    await expect(emailNotifier({ transport: {}, from: '', to: 'x@y.z' })).rejects.toThrow(PerfkitConfigError)
    await expect(emailNotifier({ transport: {}, from: 'a@b.c', to: [] })).rejects.toThrow(/`to`/)
  })
})
