// Resource zones: utilisation bands with hysteresis, and what the monitor sheds in each.
import type { ResourceZone, ZonePolicy } from '../bus/events/insights'
import { PerfkitConfigError } from '../errors'
import { inRange, nonEmptyString, nonNegativeFinite, positiveFinite, positiveInt } from '../internal/validate'
import { clamp } from './math'
import type { InsightSource, SafeReader } from './source'

/**
 * Lower bounds of the zones above green, in % utilisation.
 * @example
 * ```ts
 * new InsightEngine({ monitor, zoneBoundaries: { yellow: 50, orange: 70, red: 80, critical: 90 } })
 * ```
 */
export interface ResourceZoneBoundaries {
  /** @defaultValue 60 */
  yellow: number
  /** @defaultValue 75 */
  orange: number
  /** @defaultValue 85 */
  red: number
  /** @defaultValue 95 */
  critical: number
}

/**
 * A resource whose utilisation counts: `value(metric) × scale` is its utilisation in %.
 * @example
 * ```ts
 * const zoneResources: UtilizationResource[] = [{ name: 'cpu', metric: 'process_cpu_usage_percent' }, { name: 'event-loop', metric: 'nodejs_eventloop_utilization_ratio', scale: 100 }]
 * new InsightEngine({ monitor, zoneResources })
 * ```
 */
export interface UtilizationResource {
  /** Shown in events, e.g. `'cpu'`. */
  name: string
  /** A gauge of the monitor. */
  metric: string
  /** Multiplier into % (100 for a 0..1 ratio). @defaultValue 1 */
  scale?: number
}

/**
 * The zone now, with the readings behind it.
 * @example
 * ```ts
 * const { zone, utilization, resource, policy } = insights.zone()
 * if (zone !== 'green') console.warn(`${zone}: ${resource} at ${utilization.toFixed(0)} %, history 1 in ${policy.historyResolution}`)
 * ```
 */
export interface ResourceZoneState {
  zone: ResourceZone
  /** When the engine entered this zone, clock ms. */
  since: number
  /** Highest utilisation over the resources read, 0..100 %. */
  utilization: number
  /** The resource with the highest utilisation. */
  resource: string | undefined
  /** Utilisation of each resource read, %. */
  resources: Readonly<Record<string, number>>
  /** What the monitor is asked to do in this zone. */
  policy: ZonePolicy
  /** A lower zone the engine will move to once utilisation has stayed low for the recovery time. */
  recovering: { to: ResourceZone; since: number } | undefined
}

/** Zones from calm to critical; the index is the rank. */
export const ZONES: readonly ResourceZone[] = ['green', 'yellow', 'orange', 'red', 'critical']

/**
 * Reference-system boundaries: green < 60, yellow < 75, orange < 85, red < 95, critical ≥ 95.
 * @example
 * ```ts
 * new InsightEngine({ monitor, zoneBoundaries: { ...defaultZoneBoundaries, yellow: 50 } })
 * ```
 */
export const defaultBoundaries: Readonly<ResourceZoneBoundaries> = Object.freeze({ yellow: 60, orange: 75, red: 85, critical: 95 })

/**
 * Default shedding per zone, after the reference system: yellow coarsens history, orange also
 * pauses low-priority sources, red keeps high and critical sources only, critical keeps critical
 * sources only, each with coarser history.
 * @example
 * ```ts
 * // Keep every source until red, but still coarsen history from yellow on.
 * new InsightEngine({ monitor, zonePolicies: { orange: { sourcePriorityFloor: 'low' } } })
 * ```
 */
export const defaultZonePolicies: Readonly<Record<ResourceZone, ZonePolicy>> = Object.freeze({
  green: { sourcePriorityFloor: 'low', historyResolution: 1 },
  yellow: { sourcePriorityFloor: 'low', historyResolution: 2 },
  orange: { sourcePriorityFloor: 'medium', historyResolution: 4 },
  red: { sourcePriorityFloor: 'high', historyResolution: 8 },
  critical: { sourcePriorityFloor: 'critical', historyResolution: 16 },
})

/** The resources read by default: process and system CPU, system memory, heap against its limit, event-loop utilisation. */
export function defaultZoneResources(heapLimitBytes: number): UtilizationResource[] {
  return [
    { name: 'cpu', metric: 'process_cpu_usage_percent' },
    { name: 'system-cpu', metric: 'system_cpu_usage_percent' },
    { name: 'memory', metric: 'system_memory_usage_percent' },
    { name: 'heap', metric: 'nodejs_heap_used_bytes', scale: 100 / heapLimitBytes },
    { name: 'event-loop', metric: 'nodejs_eventloop_utilization_ratio', scale: 100 },
  ]
}

/** Validates the zone options. */
export function resolveZoneOptions(
  boundaries: Partial<ResourceZoneBoundaries> = {},
  policies: Partial<Record<ResourceZone, Partial<ZonePolicy>>> = {},
  resources: readonly UtilizationResource[] | undefined,
  heapLimitBytes: number,
): { boundaries: ResourceZoneBoundaries; policies: Record<ResourceZone, ZonePolicy>; resources: UtilizationResource[] } {
  const b = { ...defaultBoundaries, ...boundaries }
  let previous = 0
  for (const zone of ['yellow', 'orange', 'red', 'critical'] as const) {
    const value = inRange(`zoneBoundaries.${zone}`, b[zone], 0, 100)
    if (value <= previous) throw new PerfkitConfigError(`zoneBoundaries.${zone}`, `a value above the previous boundary ${previous}`, value)
    previous = value
  }
  const p = {} as Record<ResourceZone, ZonePolicy>
  for (const zone of ZONES) {
    const given = policies[zone] ?? {}
    const floor = given.sourcePriorityFloor ?? defaultZonePolicies[zone].sourcePriorityFloor
    if (!['low', 'medium', 'high', 'critical'].includes(floor)) throw new PerfkitConfigError(`zonePolicies.${zone}.sourcePriorityFloor`, "one of 'low', 'medium', 'high', 'critical'", floor)
    const resolution = positiveInt(`zonePolicies.${zone}.historyResolution`, given.historyResolution ?? defaultZonePolicies[zone].historyResolution)
    p[zone] = { sourcePriorityFloor: floor, historyResolution: resolution }
  }
  const list = resources ?? defaultZoneResources(heapLimitBytes)
  if (!Array.isArray(list) || list.length === 0) throw new PerfkitConfigError('zoneResources', 'a non-empty array', list)
  const r = list.map((res, i) => ({
    name: nonEmptyString(`zoneResources[${i}].name`, res.name),
    metric: nonEmptyString(`zoneResources[${i}].metric`, res.metric),
    scale: res.scale === undefined ? 1 : positiveFinite(`zoneResources[${i}].scale`, res.scale),
  }))
  return { boundaries: b, policies: p, resources: r }
}

/** Reads every resource; utilisation is the highest one, clamped to 0..100. */
export function readUtilization(read: SafeReader, resources: readonly UtilizationResource[]): { utilization: number; resource: string | undefined; resources: Record<string, number> } {
  const out: Record<string, number> = {}
  let top: string | undefined
  let utilization = 0
  for (const r of resources) {
    const value = read.value(r.metric)
    if (value === undefined) continue
    const percent = clamp(value * (r.scale ?? 1), 0, 100)
    out[r.name] = Math.round(percent * 100) / 100
    if (top === undefined || percent > utilization) {
      utilization = percent
      top = r.name
    }
  }
  return { utilization, resource: top, resources: out }
}

/**
 * The zone state machine. Moving up is immediate: pressure needs relief now. Moving down needs
 * utilisation below the lower zone's upper bound minus `hysteresis` points, held for `recoveryMs`,
 * so a value hovering at a boundary does not flap.
 */
export class ZoneTracker {
  readonly #b: ResourceZoneBoundaries
  readonly #hysteresis: number
  readonly #recoveryMs: number
  #zone: ResourceZone = 'green'
  #since: number
  #recovering: { to: ResourceZone; since: number } | undefined

  constructor(boundaries: ResourceZoneBoundaries, hysteresis: number, recoveryMs: number, now: number) {
    this.#b = boundaries
    this.#hysteresis = inRange('zoneHysteresis', hysteresis, 0, 50)
    this.#recoveryMs = nonNegativeFinite('zoneRecoveryMs', recoveryMs)
    this.#since = now
  }

  get zone(): ResourceZone {
    return this.#zone
  }

  get since(): number {
    return this.#since
  }

  get recovering(): { to: ResourceZone; since: number } | undefined {
    return this.#recovering === undefined ? undefined : { ...this.#recovering }
  }

  /** The zone a utilisation falls in, without hysteresis. */
  zoneOf(utilization: number): ResourceZone {
    const b = this.#b
    return utilization >= b.critical ? 'critical' : utilization >= b.red ? 'red' : utilization >= b.orange ? 'orange' : utilization >= b.yellow ? 'yellow' : 'green'
  }

  /** Feeds one reading; returns the transition when the zone changes. */
  update(utilization: number, now: number): { from: ResourceZone; to: ResourceZone } | undefined {
    const current = rank(this.#zone)
    const raw = this.zoneOf(utilization)
    if (rank(raw) > current) return this.#move(raw, now)
    // Down only when even `hysteresis` points more would still sit in a lower zone.
    const calm = this.zoneOf(utilization + this.#hysteresis)
    if (rank(calm) >= current) {
      this.#recovering = undefined
      return undefined
    }
    // While recovering, aim for the highest zone seen, so a brief dip does not overshoot.
    if (this.#recovering === undefined) this.#recovering = { to: calm, since: now }
    else if (rank(calm) > rank(this.#recovering.to)) this.#recovering.to = calm
    if (now - this.#recovering.since < this.#recoveryMs) return undefined
    return this.#move(this.#recovering.to, now)
  }

  #move(to: ResourceZone, now: number): { from: ResourceZone; to: ResourceZone } {
    const from = this.#zone
    this.#zone = to
    this.#since = now
    this.#recovering = undefined
    return { from, to }
  }
}

/** Rank of a zone: green 0 … critical 4. */
export function rank(zone: ResourceZone): number {
  return ZONES.indexOf(zone)
}

/** Asks the monitor to shed or restore per `policy`; false when it lacks both calls or one threw. */
export function applyPolicy(monitor: InsightSource, policy: ZonePolicy, onError: (error: Error) => void): boolean {
  if (typeof monitor.setSourcePriorityFloor !== 'function' && typeof monitor.setHistoryResolution !== 'function') return false
  try {
    monitor.setSourcePriorityFloor?.(policy.sourcePriorityFloor)
    monitor.setHistoryResolution?.(policy.historyResolution)
    return true
  } catch (error) {
    onError(error instanceof Error ? error : new Error(String(error)))
    return false
  }
}
