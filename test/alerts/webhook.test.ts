import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { AlertEngine, type AlertNotifierFailedEvent, NotifierError, PerfkitConfigError, webhookNotifier } from 'perfkit'
import { ManualClock } from '../helpers/clock'
import { FakeSource } from './helpers'

interface Received {
  method: string | undefined
  headers: IncomingMessage['headers']
  body: unknown
}

/** A real HTTP server on 127.0.0.1 answering with the given statuses in turn (the last one repeats). */
async function server(statuses: Array<number | 'hang'>, extraHeaders: Record<string, string> = {}): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = []
  const srv: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = ''
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()))
    req.on('end', () => {
      received.push({ method: req.method, headers: req.headers, body: JSON.parse(raw) })
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)] as number | 'hang'
      if (status === 'hang') return
      res.writeHead(status, { 'content-type': 'text/plain', ...extraHeaders })
      res.end(status < 300 ? 'ok' : 'try later')
    })
  })
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const { port } = srv.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        srv.closeAllConnections()
        srv.close(() => resolve())
      }),
  }
}

function firingEngine(notifier: ReturnType<typeof webhookNotifier>) {
  const clock = new ManualClock()
  const source = new FakeSource()
  const engine = new AlertEngine({ monitor: source, now: clock.now, intervalMs: 0, groupWaitMs: 0, notifiers: [notifier] })
  engine.addRule({ id: 'cpu-usage', metric: 'system_cpu_usage_percent', op: '>', warning: 70, critical: 90 })
  source.set('system_cpu_usage_percent', 95)
  return { engine, clock, source }
}

describe('webhookNotifier', () => {
  const servers: Array<{ close: () => Promise<void> }> = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })

  it('retries a failing endpoint with backoff until it succeeds, sending an Alertmanager-style body', async () => {
    const hook = await server([503, 502, 200])
    servers.push(hook)
    const { engine } = firingEngine(webhookNotifier({ url: hook.url, retries: 3, backoffMs: 1, jitter: false, headers: { authorization: 'Bearer t' } }))
    const failures: AlertNotifierFailedEvent[] = []
    engine.bus.on('alert:notifier-failed', (e) => failures.push(e))
    engine.evaluate()
    await engine.drain()
    expect(hook.received).toHaveLength(3)
    expect(hook.received.every((r) => r.method === 'POST' && r.headers['content-type'] === 'application/json' && r.headers.authorization === 'Bearer t')).toBe(true)
    expect(hook.received[2]?.body).toEqual(hook.received[0]?.body)
    expect(hook.received[0]?.body).toMatchObject({
      version: '4',
      receiver: 'webhook',
      status: 'firing',
      groupLabels: { alertname: 'cpu-usage' },
      commonLabels: { alertname: 'cpu-usage', severity: 'critical', metric: 'system_cpu_usage_percent' },
      alerts: [{ status: 'firing', reason: 'firing', labels: { alertname: 'cpu-usage' }, value: 95, threshold: 90, endsAt: '0001-01-01T00:00:00Z' }],
    })
    expect(failures).toEqual([])
    expect(engine.stats().notifiers[0]).toMatchObject({ name: 'webhook', sent: 1, failed: 0 })
    await engine.close()
  })

  it('gives up after its retries, and the failure is counted and emitted with the attempts', async () => {
    const hook = await server([500])
    servers.push(hook)
    const { engine } = firingEngine(webhookNotifier({ url: hook.url, name: 'ops-hook', retries: 2, backoffMs: 1, jitter: false }))
    const failures: AlertNotifierFailedEvent[] = []
    engine.bus.on('alert:notifier-failed', (e) => failures.push(e))
    engine.evaluate()
    await engine.drain()
    expect(hook.received).toHaveLength(3)
    expect(failures).toMatchObject([{ notifier: 'ops-hook', reason: 'failed', attempts: 3 }])
    const stats = engine.stats().notifiers[0]
    expect(stats).toMatchObject({ failed: 1, sent: 0 })
    expect(stats?.lastError).toBeInstanceOf(NotifierError)
    expect((stats?.lastError as Error).message).toMatch(/HTTP 500: try later \(after 3 attempts\)/)
    await engine.close()
  })

  it('does not retry a 4xx client error, but does retry 429 (honouring Retry-After)', async () => {
    const bad = await server([400])
    const limited = await server([429, 200], { 'retry-after': '0' })
    servers.push(bad, limited)
    const notification = { id: 1, groupKey: 'k', groupLabels: {}, status: 'firing', repeat: false, alerts: [], at: 0 } as const
    const signal = new AbortController().signal
    const rejected = webhookNotifier({ url: bad.url, backoffMs: 1 }).notify(notification, signal)
    await expect(rejected).rejects.toMatchObject({ code: 'PERFKIT_NOTIFIER_FAILED', attempts: 1 })
    expect(bad.received).toHaveLength(1)
    await webhookNotifier({ url: limited.url, backoffMs: 1, jitter: false }).notify(notification, signal)
    expect(limited.received).toHaveLength(2)
  })

  it('times out an attempt that gets no answer', async () => {
    const hook = await server(['hang'])
    servers.push(hook)
    const notification = { id: 1, groupKey: 'k', groupLabels: {}, status: 'firing', repeat: false, alerts: [], at: 0 } as const
    const attempt = webhookNotifier({ url: hook.url, timeoutMs: 50, retries: 1, backoffMs: 1, jitter: false }).notify(notification, new AbortController().signal)
    await expect(attempt).rejects.toMatchObject({ code: 'PERFKIT_NOTIFIER_FAILED', attempts: 2 })
    expect(hook.received).toHaveLength(2)
  })

  it('sends a Slack-compatible payload with format: slack', async () => {
    const hook = await server([200])
    servers.push(hook)
    const { engine } = firingEngine(webhookNotifier({ url: hook.url, format: 'slack' }))
    engine.evaluate()
    await engine.drain()
    const body = hook.received[0]?.body as { text: string; attachments: Array<{ color: string; title: string; fields: unknown[] }> }
    expect(body.text).toBe('[FIRING:1] cpu-usage')
    expect(body.attachments).toHaveLength(1)
    expect(body.attachments[0]).toMatchObject({
      color: '#d0021b',
      title: '[FIRING] critical cpu-usage: system_cpu_usage_percent is 95 (critical: > 90)',
      fields: [{ title: 'Value', value: '95' }, { title: 'Threshold', value: '90' }],
    })
    await engine.close()
  })

  it('validates its options', () => {
    expect(() => webhookNotifier({ url: 'not a url' })).toThrow(PerfkitConfigError)
    expect(() => webhookNotifier({ url: 'ftp://example.com' })).toThrow(/http/)
    expect(() => webhookNotifier({ url: 'http://127.0.0.1', retries: -1 })).toThrow(/retries/)
    expect(() => webhookNotifier({ url: 'http://127.0.0.1', format: 'xml' as never })).toThrow(/format/)
  })
})
