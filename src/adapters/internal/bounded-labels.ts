// A label value set that cannot grow without bound: names are kept as they are up to a
// limit (or an allow-list), and every later name is recorded as one overflow value.

/**
 * The label value of names past the limit or outside the allow-list.
 * @example
 * ```ts
 * const others = monitor.value(SOCKET_METRICS.eventsReceived, { event: OTHER_LABEL })
 * ```
 */
export const OTHER_LABEL = '_other'

/** Maps raw names to bounded label values. */
export class BoundedLabels {
  readonly #seen = new Set<string>()
  readonly #allowed: ReadonlySet<string> | undefined
  readonly #max: number

  constructor(max: number, allowed?: readonly string[]) {
    this.#max = max
    this.#allowed = allowed === undefined ? undefined : new Set(allowed)
  }

  /** `name` itself while it is allowed and the limit not reached, else `_other`. */
  get(name: string): string {
    if (this.#allowed !== undefined) return this.#allowed.has(name) ? name : OTHER_LABEL
    if (this.#seen.has(name)) return name
    if (this.#seen.size >= this.#max) return OTHER_LABEL
    this.#seen.add(name)
    return name
  }

  /** Distinct names kept so far. */
  get size(): number {
    return this.#allowed?.size ?? this.#seen.size
  }
}
