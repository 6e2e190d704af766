// Label sets: validation, a canonical key per set (the series map key), matching, and the
// Prometheus rendering of a set, computed once per series so a scrape only concatenates.
import type { Labels } from '../bus/events/monitor'

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/** A valid Prometheus metric name. */
export function isMetricName(name: unknown): name is string {
  return typeof name === 'string' && METRIC_NAME.test(name)
}

/** Label names a distribution may not use: its histogram and summary lines use them. */
const DISTRIBUTION_RESERVED = new Set(['le', 'quantile'])

/**
 * Returns the canonical form of `labels` (own keys sorted, values as strings), or undefined
 * when a name is invalid. Non-strings go through `String()`; an empty value (or `undefined`,
 * `null`) means no such label, as in Prometheus, so `{ a: '' }` is the series `{}`.
 */
export function normalizeLabels(labels: object, distribution: boolean): Labels | undefined {
  const names = Object.keys(labels).sort()
  const out: Record<string, string> = {}
  for (const name of names) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) return undefined
    if (distribution && DISTRIBUTION_RESERVED.has(name)) return undefined
    const value = labelValue((labels as Record<string, unknown>)[name])
    if (value !== '') out[name] = value
  }
  return Object.freeze(out)
}

function labelValue(value: unknown): string {
  if (typeof value === 'string') return value
  return value === undefined || value === null ? '' : String(value)
}

/**
 * The series key of a label set: the same for any key order. Values are length-prefixed, so
 * no value can forge a separator. Built without sorting when the keys already come sorted,
 * which is the usual case for a literal written the same way at every call site.
 */
export function labelsKey(labels: object): string {
  let key = ''
  let previous = ''
  let sorted = true
  for (const name in labels) {
    if (name < previous) {
      sorted = false
      break
    }
    previous = name
    const value = labelValue((labels as Record<string, unknown>)[name])
    if (value !== '') key += `${name}=${value.length}:${value},`
  }
  if (sorted) return key
  key = ''
  for (const name of Object.keys(labels).sort()) {
    const value = labelValue((labels as Record<string, unknown>)[name])
    if (value !== '') key += `${name}=${value.length}:${value},`
  }
  return key
}

/** Distinct key orders remembered per metric; more are served by the slow path. */
const MAX_ORDERS = 4

interface Trie {
  /** Label names in the order a caller writes them. */
  readonly names: string[]
  readonly root: Map<string, unknown>
}

/**
 * Finds the series of a labels object without building its key: one trie per key order
 * seen (a call site writes its literal the same way every time), walked by value with one
 * Map lookup per label. Misses go to the slow path, which inserts what it resolved.
 */
export class LabelLookup<T> {
  #tries: Trie[] = []
  // The last frozen labels object found and its target. A caller that keeps its label objects
  // (the HTTP adapters keep one frozen object per method, route and status class) then skips
  // the walk and its reads by name, which cost most of a labelled write. Frozen, so its
  // values cannot have changed since; `set` and `clear` (every series removal) forget it.
  #lastLabels: object | undefined = undefined
  #lastTarget: T | undefined = undefined

  get(labels: object): T | undefined {
    if (labels === this.#lastLabels) return this.#lastTarget
    const tries = this.#tries
    outer: for (let t = 0; t < tries.length; t++) {
      const trie = tries[t] as Trie
      const names = trie.names
      let node: unknown = trie.root
      let i = 0
      for (const name in labels) {
        if (names[i] !== name) continue outer
        const value = (labels as Record<string, unknown>)[name]
        node = (node as Map<string, unknown>).get(typeof value === 'string' ? value : labelValue(value))
        if (node === undefined) return undefined
        i++
      }
      if (i === names.length) {
        if (Object.isFrozen(labels)) {
          this.#lastLabels = labels
          this.#lastTarget = node as T
        }
        return node as T
      }
    }
    return undefined
  }

  set(labels: object, target: T): void {
    this.#lastLabels = undefined
    this.#lastTarget = undefined
    const names = Object.keys(labels)
    if (names.length === 0) return
    let trie = this.#tries.find((t) => t.names.length === names.length && t.names.every((n, i) => n === names[i]))
    if (trie === undefined) {
      if (this.#tries.length >= MAX_ORDERS) return
      trie = { names, root: new Map() }
      this.#tries.push(trie)
    }
    let node = trie.root
    for (let i = 0; i < names.length - 1; i++) {
      const value = labelValue((labels as Record<string, unknown>)[names[i] as string])
      let next = node.get(value) as Map<string, unknown> | undefined
      if (next === undefined) node.set(value, (next = new Map()))
      node = next
    }
    node.set(labelValue((labels as Record<string, unknown>)[names[names.length - 1] as string]), target)
  }

  clear(): void {
    this.#tries = []
    this.#lastLabels = undefined
    this.#lastTarget = undefined
  }
}

/** True when `labels` holds every pair of `matcher`. */
export function matches(labels: Labels, matcher: Labels): boolean {
  for (const name in matcher) {
    if ((labels[name] ?? '') !== labelValue(matcher[name])) return false
  }
  return true
}

/** True when the matcher selects every series (omitted or `{}`). */
export function matchesAll(matcher: Labels | undefined): boolean {
  if (matcher === undefined) return true
  for (const _ in matcher) return false
  return true
}

/** Escapes a label value for the text exposition format: `\`, `"` and line feeds. */
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value
}

/** Escapes a HELP docstring: `\` and line feeds. */
export function escapeHelp(text: string): string {
  return /[\\\n]/.test(text) ? text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : text
}

/** `a="x",b="y"` (no braces), the label part of every exposition line of a series. */
export function renderLabels(labels: Labels): string {
  let out = ''
  for (const name in labels) {
    if (out.length > 0) out += ','
    out += `${name}="${escapeLabelValue(labels[name] as string)}"`
  }
  return out
}

/** Merges extra labels over a set (used by `end(extraLabels)` and `mergeState({ labels })`). */
export function withLabels(base: Labels | undefined, extra: Labels | undefined): Labels | undefined {
  if (extra === undefined) return base
  if (base === undefined) return extra
  return { ...base, ...extra }
}
