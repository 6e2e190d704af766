// The dashboard in real headless Chromium: it loads, draws a chart from live data, and
// acknowledges an alert. CI installs Debian's chromium; without it the test fails under CI
// and is skipped elsewhere.
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, startFixture } from './fixture'

const CHROMIUM = '/usr/bin/chromium'
const installed = existsSync(CHROMIUM)
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

describe.runIf(!installed && process.env.CI !== undefined && process.env.CI !== '')('dashboard browser test prerequisites', () => {
  it('needs Chromium at /usr/bin/chromium in CI', () => {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`)
  })
})

describe.skipIf(!installed)('dashboard in headless Chromium', () => {
  let browser: Browser
  let f: Fixture | undefined
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  }, 30_000)
  afterAll(async () => {
    await browser?.close()
  })
  afterEach(async () => {
    await f?.stop()
    f = undefined
  })

  it('loads, draws charts from live data, and acknowledges an alert from the page', async () => {
    f = await startFixture({ dashboardPollMs: 150 })
    const fixture = f
    // Ten minutes of recent past in the monitor's history, for the page to backfill from.
    for (let i = 0; i < 10; i++) {
      for (let j = 0; j <= i % 4; j++) await fetch(`${fixture.base}/users/${j}`)
      fixture.monitor.snapshot()
      fixture.clock.advance(60_000)
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } })
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text())
    })
    // The token travels in the fragment (never sent to the server in the URL) and then as a Bearer header.
    await page.goto(`${f.api}/dashboard#token=secret`)

    const points = () => page.evaluate(() => Number(document.getElementById('chart-latency')?.getAttribute('data-points')))
    // Backfilled from history (the last 10 minutes): three lines of 9-10 points at once.
    await page.waitForFunction(() => Number(document.getElementById('chart-latency')?.getAttribute('data-points')) >= 27, undefined, { timeout: 10_000 })
    const backfilled = await points()
    // Then live traffic while the page polls: every poll adds a point to each line.
    for (let i = 0; i < 4; i++) {
      await fetch(`${fixture.base}/users/${i}`)
      await page.waitForFunction((n) => Number(document.getElementById('chart-latency')?.getAttribute('data-points')) >= n, backfilled + 3 * (i + 1), { timeout: 10_000 })
    }
    const drawn = await page.evaluate(() => {
      const canvas = document.getElementById('chart-latency') as HTMLCanvasElement
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray()
      let blue = 0
      const at = (i: number) => data[i] ?? 0
      for (let i = 0; i < data.length; i += 4) if (at(i + 3) > 200 && Math.abs(at(i) - 0x2f) < 30 && Math.abs(at(i + 1) - 0x6f) < 30 && Math.abs(at(i + 2) - 0xdf) < 30) blue++
      return { blue, points: Number(canvas.getAttribute('data-points')) }
    })
    expect(drawn.points).toBeGreaterThanOrEqual(backfilled + 12)
    expect(drawn.blue).toBeGreaterThan(50) // the p50 line and its legend are on the canvas
    expect(await page.textContent('#kpi-p95')).toMatch(/200 ms/)
    expect(await page.textContent('#kpi-hit')).toMatch(/%$/)

    const row = page.locator(`tr[data-alert-id="${f.firingId}"]`)
    await row.waitFor({ timeout: 10_000 })
    expect(await row.locator('td').nth(1).textContent()).toBe('slow-requests')
    await page.screenshot({ path: join(tmpdir(), 'perfkit-dashboard-before-ack.png'), fullPage: true })
    await row.locator('button.ack').click()
    await row.locator('.acked').waitFor({ timeout: 10_000 })
    expect(await row.locator('.acked').textContent()).toBe('acknowledged by dashboard')
    expect(f.alerts.get(f.firingId)?.acknowledged?.by).toBe('dashboard')
    await page.screenshot({ path: join(tmpdir(), 'perfkit-dashboard.png'), fullPage: true })
    expect(pageErrors).toEqual([])
    await page.close()
  }, 60_000)
})
