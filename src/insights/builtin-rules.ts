// The reference system's four optimization rules. Their actions are hooks the host provides;
// a rule is registered only when at least one of its hooks is.
import type { Evidence } from '../bus/events/insights'
import type { Labels } from '../bus/events/monitor'
import { func } from '../internal/validate'
import { M } from './bottlenecks/index'
import { fmt, fmtSeconds } from './math'
import type { OptimizationActionContext, OptimizationActionResult, OptimizationRule, OptimizationContext } from './rules'
import type { SafeReader } from './source'
import type { InsightMetricNames, InsightThresholds } from './thresholds'

/**
 * What a hook receives: the action context plus the instances concerned.
 * @example
 * ```ts
 * new InsightEngine({ monitor, hooks: { warmCache: async ({ targets }) => { for (const t of targets) await warm(t.cache); return `warmed ${targets.length}` } } })
 * ```
 */
export interface OptimizationHookContext extends OptimizationActionContext {
  /** The caches, routes or query series the trigger is about (empty when it concerns the whole process). */
  targets: readonly Labels[]
}

/**
 * A host-provided optimization. Return a text saying what it did; throw to report a failure.
 * @example
 * ```ts
 * const pruneCaches: OptimizationHook = () => `pruned ${cache.prune()} entries`
 * new InsightEngine({ monitor, hooks: { pruneCaches } })
 * ```
 */
export type OptimizationHook = (context: OptimizationHookContext) => OptimizationActionResult | Promise<OptimizationActionResult>

/**
 * The actions of the built-in rules. Each built-in is registered only when one of its hooks is
 * given. Hooks of one rule run one after the other; a failing hook does not stop the next.
 * @example
 * ```ts
 * new InsightEngine({ monitor, hooks: { gc: () => globalThis.gc?.(), pruneCaches: () => `pruned ${cache.prune()}` } })
 * ```
 */
export interface OptimizationHooks {
  /** High response time: cache the slow endpoints aggressively (`targets`: `{ route }` of the slowest). */
  cacheSlowEndpoints?: OptimizationHook
  /** Memory pressure: collect garbage (e.g. `() => globalThis.gc?.()` with `--expose-gc`). */
  gc?: OptimizationHook
  /** Memory pressure: drop cold cache entries. */
  pruneCaches?: OptimizationHook
  /** Slow queries: log them, open a ticket, suggest indexes (`targets`: the slowest query series). */
  reportSlowQueries?: OptimizationHook
  /** Low cache hit rate: raise the TTL of the caches in `targets` (`{ cache }`). */
  raiseTtl?: OptimizationHook
  /** Low cache hit rate: warm the caches in `targets`. */
  warmCache?: OptimizationHook
}

/**
 * Ids of the built-in rules.
 * @example
 * ```ts
 * const id: BuiltinOptimizationRuleId = 'memory-pressure'
 * insights.setRuleEnabled(id, false)
 * ```
 */
export type BuiltinOptimizationRuleId = 'high-response-time' | 'memory-pressure' | 'slow-queries' | 'low-cache-hit-rate'

interface BuiltinInputs {
  read: SafeReader
  thresholds: InsightThresholds
  names: InsightMetricNames
  heapLimitBytes: number
  window: '1m' | '5m' | '15m' | 'all'
}

const HOOK_NAMES: ReadonlyArray<keyof OptimizationHooks> = ['cacheSlowEndpoints', 'gc', 'pruneCaches', 'reportSlowQueries', 'raiseTtl', 'warmCache']

/** Validates the `hooks` option (every given hook must be a function). */
export function validateHooks(hooks: OptimizationHooks): OptimizationHooks {
  for (const name of HOOK_NAMES) if (hooks[name] !== undefined) func(`hooks.${name}`, hooks[name])
  return hooks
}

/** The built-in rules whose hooks are present, with the reference system's triggers, priorities and cooldowns. */
export function builtinRules(hooks: OptimizationHooks, inputs: BuiltinInputs): OptimizationRule[] {
  const { read, thresholds: t, names, heapLimitBytes, window } = inputs
  const memoryPercent = (): { value: number; evidence: Evidence[] } | undefined => {
    const system = read.value(M.systemMemory)
    const heap = read.value(M.heapUsed)
    const heapPercent = heap === undefined ? undefined : (heap / heapLimitBytes) * 100
    if (system === undefined && heapPercent === undefined) return undefined
    const evidence: Evidence[] = []
    if (system !== undefined) evidence.push({ metric: M.systemMemory, stat: 'value', value: system, unit: 'percent', threshold: t.memoryPercent.warning })
    if (heapPercent !== undefined) evidence.push({ metric: M.heapUsed, stat: 'percent-of-limit', value: heapPercent, unit: 'percent', threshold: t.memoryPercent.warning })
    return { value: Math.max(system ?? 0, heapPercent ?? 0), evidence }
  }
  const underMemoryPressure = () => (memoryPercent()?.value ?? 0) > t.memoryPercent.warning

  const rules: OptimizationRule[] = []
  const add = (id: BuiltinOptimizationRuleId, name: string, priority: number, cooldownMs: number, hookNames: Array<keyof OptimizationHooks>, condition: (ctx: OptimizationContext) => { evidence: Evidence[]; reason: string; targets: Labels[] } | undefined) => {
    const present = hookNames.filter((h) => hooks[h] !== undefined)
    if (present.length === 0) return
    rules.push({
      id,
      name,
      priority,
      cooldownMs,
      condition: (ctx) => {
        const hit = condition(ctx)
        if (hit === undefined) return false
        return hit
      },
      action: (ctx) => runHooks(present.map((h) => [h, hooks[h] as OptimizationHook]), { ...ctx, targets: ctx.trigger.targets ?? [] }),
    })
  }

  // High response time: average response time over 1 s (reference: > 1000 ms).
  add('high-response-time', 'High response time optimizer', 1, 10 * 60_000, ['cacheSlowEndpoints'], () => {
    const stats = read.stats(names.responseTime, undefined, window)
    if (stats === undefined || stats.mean <= t.responseTimeSeconds.warning || underMemoryPressure()) return undefined
    const routes = read.instances(names.responseTime, 'route')
    const slow = routes
      .map((labels) => ({ labels, p95: read.stats(names.responseTime, labels, window)?.p95 ?? 0 }))
      .filter((r) => r.p95 > t.responseTimeSeconds.warning)
      .sort((a, b) => b.p95 - a.p95)
      .slice(0, 10)
    return {
      reason: `mean response time ${fmtSeconds(stats.mean)} is over ${fmtSeconds(t.responseTimeSeconds.warning)}`,
      targets: slow.map((s) => s.labels),
      evidence: [
        { metric: names.responseTime, stat: 'mean', value: stats.mean, unit: 'seconds', threshold: t.responseTimeSeconds.warning },
        ...slow.map((s): Evidence => ({ metric: names.responseTime, labels: s.labels, stat: 'p95', value: s.p95, unit: 'seconds' })),
      ],
    }
  })

  // Memory pressure: memory usage over 80 % (system memory, or heap against its limit).
  add('memory-pressure', 'Memory pressure optimizer', 2, 5 * 60_000, ['gc', 'pruneCaches'], () => {
    const memory = memoryPercent()
    if (memory === undefined || memory.value <= t.memoryPercent.warning) return undefined
    return { reason: `memory usage ${fmt(memory.value)} % is over ${t.memoryPercent.warning} %`, targets: [], evidence: memory.evidence }
  })

  // Slow queries: more than 5 queries over 500 ms in the analysis window.
  add('slow-queries', 'Database query optimizer', 3, 15 * 60_000, ['reportSlowQueries'], (ctx) => {
    const db = ctx.bottlenecks.find((b) => b.kind === 'database')
    const slow = db?.evidence.find((e) => e.stat === 'slow-queries')
    if (db === undefined || slow === undefined || slow.value <= t.slowQueryCount) return undefined
    return {
      reason: `${slow.value} queries slower than ${fmtSeconds(t.slowQuerySeconds)}`,
      targets: db.evidence.flatMap((e) => (e.labels !== undefined && e.stat === 'p95' ? [e.labels] : [])),
      evidence: [...db.evidence],
    }
  })

  // Low cache hit rate: a cache's hit ratio under 50 % (the critical level of `cacheHitRatio`).
  add('low-cache-hit-rate', 'Cache strategy optimizer', 4, 20 * 60_000, ['raiseTtl', 'warmCache'], (ctx) => {
    if (underMemoryPressure()) return undefined
    const low = ctx.bottlenecks
      .filter((b) => b.kind === 'cache')
      .map((b) => ({ b, ratio: b.evidence.find((e) => e.metric === M.cacheHitRatio && e.stat === 'value') }))
      .filter((x) => x.ratio !== undefined && x.ratio.value < t.cacheHitRatio.critical)
    if (low.length === 0) return undefined
    return {
      reason: `${low.length} cache(s) hit under ${fmt(t.cacheHitRatio.critical * 100)} %`,
      targets: low.flatMap((x) => (x.b.labels === undefined ? [] : [x.b.labels])),
      evidence: low.map((x) => x.ratio as Evidence),
    }
  })
  return rules
}

async function runHooks(hooks: Array<[string, OptimizationHook]>, context: OptimizationHookContext): Promise<string> {
  const done: string[] = []
  const errors: unknown[] = []
  for (const [name, hook] of hooks) {
    if (context.signal.aborted) break
    try {
      const result = await hook(context)
      done.push(typeof result === 'string' && result.length > 0 ? result : typeof result === 'object' && result !== null && typeof result.impact === 'string' ? result.impact : `${name}() ran`)
    } catch (error) {
      errors.push(error)
    }
  }
  if (errors.length === 1 && done.length === 0) throw errors[0]
  if (errors.length > 0) throw new AggregateError(errors, `${errors.length} of ${hooks.length} hooks failed${done.length > 0 ? `; done: ${done.join('; ')}` : ''}`)
  return done.join('; ')
}
