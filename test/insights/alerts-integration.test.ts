import { AlertEngine, InsightEngine } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { rig } from './rig'

describe('with a real AlertEngine', () => {
  it('counts its firing alerts against health and in the report summary', async () => {
    const { monitor, clock, engine: withoutAlerts } = rig()
    const alerts = new AlertEngine({ monitor, now: clock.now })
    alerts.addRule({ id: 'cpu-hot', metric: 'process_cpu_usage_percent', op: '>', warning: 50, critical: 60 })
    const engine = new InsightEngine({ monitor, alerts, intervalMs: 0 })
    monitor.setGauge('process_cpu_usage_percent', 65)
    alerts.evaluate()
    expect(alerts.alerts({ state: 'firing' })).toHaveLength(1)
    expect(engine.health().adjustments[0]).toEqual({ reason: '1 critical and 0 warning alert(s) firing', points: 15 })
    expect(engine.report().summary.firingAlerts).toBe(1)
    expect(withoutAlerts.report().summary.firingAlerts).toBe(0)
    expect(withoutAlerts.health().adjustments).toEqual([])
    await alerts.close()
    await engine.close()
  })
})
