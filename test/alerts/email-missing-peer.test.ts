import { describe, expect, it, vi } from 'vitest'
import { emailNotifier, PerfkitConfigError } from 'perfkit'

// nodemailer is an optional peer: without it, building a transport from options must fail
// at creation with an error that says what to install, and never echo the (secret) options.
vi.mock('nodemailer', () => {
  throw new Error("Cannot find package 'nodemailer'")
})

describe('emailNotifier without nodemailer', () => {
  it('rejects at creation with a PerfkitConfigError naming the missing peer', async () => {
    const creating = emailNotifier({ transport: { host: 'smtp.example.com', auth: { user: 'u', pass: 'secret' } }, from: 'a@b.c', to: 'x@y.z' })
    await expect(creating).rejects.toBeInstanceOf(PerfkitConfigError)
    const error = (await creating.catch((e: unknown) => e)) as PerfkitConfigError
    expect(error.option).toBe('transport')
    expect(error.message).toMatch(/npm install nodemailer/)
    expect(error.message).not.toMatch(/secret/)
  })

  it('still works with a transporter passed in', async () => {
    const sendMail = vi.fn(async () => undefined)
    const email = await emailNotifier({ transport: { sendMail }, from: 'a@b.c', to: 'x@y.z' })
    await email.notify({ id: 1, groupKey: 'k', groupLabels: {}, status: 'firing', repeat: false, alerts: [], at: 0 }, new AbortController().signal)
    expect(sendMail).toHaveBeenCalledTimes(1)
  })
})
