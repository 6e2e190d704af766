import { describe, expect, it } from 'vitest'
import { PERFKIT_ENV_VARIABLES, PerfkitConfigError, configFromEnv } from 'perfkit'

describe('configFromEnv', () => {
  it('falls back to the reference system defaults', () => {
    expect(configFromEnv({})).toEqual({
      batch: { maxBatchSize: 10, maxWaitMs: 100, maxConcurrentBatches: 5 },
      monitoring: { intervalMs: 30_000, alertCheckIntervalMs: 60_000 },
      cache: { max: 15, memoryThresholdPercent: 80, cleanupThresholdPercent: 70 },
      thresholds: { predictionLatencyMs: 100, cacheHitRatePercent: 80, memoryUsagePercent: 80, cpuUsagePercent: 80, errorRatePercent: 5, queueSizeMax: 50 },
    })
  })

  it('reads every variable', () => {
    const env = {
      BATCH_MAX_SIZE: '32',
      BATCH_MAX_WAIT_TIME: '12.5',
      BATCH_MAX_CONCURRENT: '2',
      PERFORMANCE_MONITORING_INTERVAL: '5000',
      PERFORMANCE_ALERT_CHECK_INTERVAL: '15000',
      MODEL_CACHE_MAX_SIZE: '100',
      MODEL_CACHE_MEMORY_THRESHOLD: '90',
      MODEL_CACHE_CLEANUP_THRESHOLD: '60',
      PERF_PREDICTION_LATENCY_MS: '250',
      PERF_CACHE_HIT_RATE_PERCENT: '70',
      PERF_MEMORY_USAGE_PERCENT: '85',
      PERF_CPU_USAGE_PERCENT: '75',
      PERF_ERROR_RATE_PERCENT: '1',
      PERF_QUEUE_SIZE_MAX: '500',
    }
    expect(PERFKIT_ENV_VARIABLES.slice().sort()).toEqual(Object.keys(env).sort())
    expect(configFromEnv(env)).toEqual({
      batch: { maxBatchSize: 32, maxWaitMs: 12.5, maxConcurrentBatches: 2 },
      monitoring: { intervalMs: 5000, alertCheckIntervalMs: 15_000 },
      cache: { max: 100, memoryThresholdPercent: 90, cleanupThresholdPercent: 60 },
      thresholds: { predictionLatencyMs: 250, cacheHitRatePercent: 70, memoryUsagePercent: 85, cpuUsagePercent: 75, errorRatePercent: 1, queueSizeMax: 500 },
    })
  })

  it.each([
    ['BATCH_MAX_SIZE', 'ten'],
    ['BATCH_MAX_SIZE', '0'],
    ['BATCH_MAX_SIZE', '2.5'],
    ['BATCH_MAX_WAIT_TIME', '-1'],
    ['BATCH_MAX_WAIT_TIME', '0x10'],
    ['PERF_CPU_USAGE_PERCENT', '120'],
    ['PERFORMANCE_MONITORING_INTERVAL', 'Infinity'],
    ['MODEL_CACHE_CLEANUP_THRESHOLD', '95'],
  ])('names the variable when %s=%s is invalid', (name, value) => {
    let thrown: unknown
    try {
      configFromEnv({ [name]: value })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(PerfkitConfigError)
    expect(thrown).toMatchObject({ option: name, value })
    expect((thrown as Error).message).toContain(name)
  })

  it('treats an empty variable as unset', () => {
    expect(configFromEnv({ BATCH_MAX_SIZE: '  ' }).batch.maxBatchSize).toBe(10)
  })
})
