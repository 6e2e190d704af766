import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Fixture, startFixture } from './fixture'

let f: Fixture
beforeEach(async () => {
  f = await startFixture({ dashboardPollMs: 1500 })
})
afterEach(async () => {
  await f.stop()
})

const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

describe('GET {prefix}/dashboard', () => {
  it('serves one self-contained page whose CSP allows exactly its inline script and style', async () => {
    const res = await fetch(`${f.api}/dashboard`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const html = await res.text()
    const csp = res.headers.get('content-security-policy') ?? ''
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? ''
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? ''
    expect(csp).toContain(`script-src ${sha(script)}`)
    expect(csp).toContain(`style-src ${sha(style)}`)
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("connect-src 'self'")
    // No external resource of any kind: everything is inline.
    expect(html).not.toMatch(/<(?:script|link|img)[^>]+(?:src|href)="(?!data:)/)
    expect(html).toContain('<script type="application/json" id="perfkit-config">{"pollMs":1500}</script>')
    for (const id of ['chart-latency', 'chart-throughput', 'chart-errors', 'chart-cache', 'chart-batch', 'chart-system']) expect(html).toContain(`<canvas id="${id}">`)
  })

  it('is left out with `dashboard: false`', async () => {
    await f.stop()
    f = await startFixture({ dashboard: false })
    expect((await fetch(`${f.api}/dashboard`)).status).toBe(404)
  })
})
