// Reads the reference system's environment variables into a validated config object.
import { PerfkitConfigError } from '../errors'
import type { ReferenceThresholds } from '../alerts/index'

/**
 * What {@link configFromEnv} read, every field present (defaults fill what the environment leaves out).
 * @example
 * ```ts
 * const config: PerfkitEnvConfig = configFromEnv({ BATCH_MAX_SIZE: '32' })
 * config.batch // { maxBatchSize: 32, maxWaitMs: 100, maxConcurrentBatches: 5 }
 * const models = new MemoryCache({ name: 'models', max: config.cache.max })
 * ```
 */
export interface PerfkitEnvConfig {
  /** For `new PredictionBatcher(fn, config.batch)`. */
  batch: {
    /** BATCH_MAX_SIZE. @defaultValue 10 */
    maxBatchSize: number
    /** BATCH_MAX_WAIT_TIME, ms. @defaultValue 100 */
    maxWaitMs: number
    /** BATCH_MAX_CONCURRENT. @defaultValue 5 */
    maxConcurrentBatches: number
  }
  monitoring: {
    /** PERFORMANCE_MONITORING_INTERVAL: process/system sampling period, ms. @defaultValue 30 000 */
    intervalMs: number
    /** PERFORMANCE_ALERT_CHECK_INTERVAL: alert evaluation period, ms. @defaultValue 60 000 */
    alertCheckIntervalMs: number
  }
  cache: {
    /** MODEL_CACHE_MAX_SIZE: entries of the model cache. @defaultValue 15 */
    max: number
    /** MODEL_CACHE_MEMORY_THRESHOLD: memory use (%) above which caches are pruned. @defaultValue 80 */
    memoryThresholdPercent: number
    /** MODEL_CACHE_CLEANUP_THRESHOLD: pruning goes on until memory use (%) is below this. @defaultValue 70 */
    cleanupThresholdPercent: number
  }
  /** PERF_* alert thresholds of the reference profile. */
  thresholds: ReferenceThresholds
}

type Parser = { name: string; integer: boolean; min: number; max: number; fallback: number }

const variables = {
  maxBatchSize: { name: 'BATCH_MAX_SIZE', integer: true, min: 1, max: 1_000_000, fallback: 10 },
  maxWaitMs: { name: 'BATCH_MAX_WAIT_TIME', integer: false, min: 0, max: 86_400_000, fallback: 100 },
  maxConcurrentBatches: { name: 'BATCH_MAX_CONCURRENT', integer: true, min: 1, max: 10_000, fallback: 5 },
  intervalMs: { name: 'PERFORMANCE_MONITORING_INTERVAL', integer: true, min: 100, max: 2 ** 31 - 1, fallback: 30_000 },
  alertCheckIntervalMs: { name: 'PERFORMANCE_ALERT_CHECK_INTERVAL', integer: true, min: 100, max: 2 ** 31 - 1, fallback: 60_000 },
  cacheMax: { name: 'MODEL_CACHE_MAX_SIZE', integer: true, min: 1, max: 100_000_000, fallback: 15 },
  memoryThresholdPercent: { name: 'MODEL_CACHE_MEMORY_THRESHOLD', integer: false, min: 1, max: 100, fallback: 80 },
  cleanupThresholdPercent: { name: 'MODEL_CACHE_CLEANUP_THRESHOLD', integer: false, min: 1, max: 100, fallback: 70 },
  predictionLatencyMs: { name: 'PERF_PREDICTION_LATENCY_MS', integer: false, min: 0, max: 86_400_000, fallback: 100 },
  cacheHitRatePercent: { name: 'PERF_CACHE_HIT_RATE_PERCENT', integer: false, min: 0, max: 100, fallback: 80 },
  memoryUsagePercent: { name: 'PERF_MEMORY_USAGE_PERCENT', integer: false, min: 0, max: 100, fallback: 80 },
  cpuUsagePercent: { name: 'PERF_CPU_USAGE_PERCENT', integer: false, min: 0, max: 100, fallback: 80 },
  errorRatePercent: { name: 'PERF_ERROR_RATE_PERCENT', integer: false, min: 0, max: 100, fallback: 5 },
  queueSizeMax: { name: 'PERF_QUEUE_SIZE_MAX', integer: true, min: 0, max: 100_000_000, fallback: 50 },
} satisfies Record<string, Parser>

/**
 * The names of every variable {@link configFromEnv} reads.
 * @example
 * ```ts
 * // Log the perfkit settings a deployment sets explicitly.
 * for (const name of PERFKIT_ENV_VARIABLES) if (process.env[name] !== undefined) console.log(`${name}=${process.env[name]}`)
 * ```
 */
export const PERFKIT_ENV_VARIABLES: readonly string[] = Object.values(variables).map((v) => v.name)

function read(env: Readonly<Record<string, string | undefined>>, parser: Parser): number {
  const raw = env[parser.name]
  if (raw === undefined || raw.trim() === '') return parser.fallback
  // Number('') is 0 and Number('0x10') is 16: accept plain decimal numbers only.
  const value = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(raw) ? Number(raw) : Number.NaN
  const kind = parser.integer ? 'an integer' : 'a number'
  if (!Number.isFinite(value) || (parser.integer && !Number.isInteger(value)) || value < parser.min || value > parser.max) {
    throw new PerfkitConfigError(parser.name, `${kind} from ${parser.min} to ${parser.max}`, raw)
  }
  return value
}

/**
 * Reads the reference system's environment variables (BATCH_*, PERFORMANCE_*, MODEL_CACHE_*,
 * PERF_*) with their defaults. A variable that is set but invalid throws a
 * {@link PerfkitConfigError} whose `option` is the variable's name.
 *
 * @example
 * ```ts
 * const config = configFromEnv(process.env)
 * const batcher = new PredictionBatcher(model.predictMany, config.batch)
 * const perfkit = createPerfkit({ env: config, batchers: [batcher] })
 * ```
 */
export function configFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): PerfkitEnvConfig {
  const v = variables
  const config: PerfkitEnvConfig = {
    batch: { maxBatchSize: read(env, v.maxBatchSize), maxWaitMs: read(env, v.maxWaitMs), maxConcurrentBatches: read(env, v.maxConcurrentBatches) },
    monitoring: { intervalMs: read(env, v.intervalMs), alertCheckIntervalMs: read(env, v.alertCheckIntervalMs) },
    cache: {
      max: read(env, v.cacheMax),
      memoryThresholdPercent: read(env, v.memoryThresholdPercent),
      cleanupThresholdPercent: read(env, v.cleanupThresholdPercent),
    },
    thresholds: {
      predictionLatencyMs: read(env, v.predictionLatencyMs),
      cacheHitRatePercent: read(env, v.cacheHitRatePercent),
      memoryUsagePercent: read(env, v.memoryUsagePercent),
      cpuUsagePercent: read(env, v.cpuUsagePercent),
      errorRatePercent: read(env, v.errorRatePercent),
      queueSizeMax: read(env, v.queueSizeMax),
    },
  }
  if (config.cache.cleanupThresholdPercent > config.cache.memoryThresholdPercent) {
    throw new PerfkitConfigError(
      'MODEL_CACHE_CLEANUP_THRESHOLD',
      `a number no larger than MODEL_CACHE_MEMORY_THRESHOLD (${config.cache.memoryThresholdPercent})`,
      env.MODEL_CACHE_CLEANUP_THRESHOLD,
    )
  }
  return config
}
