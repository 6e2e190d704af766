// Route templates for Express 5: the full pattern a request matched, through nested routers
// and parameterised mount paths (`/orgs/:org` + `/items/:id` → `/orgs/:org/items/:id`).
//
// `req.route.path` is only the leaf pattern and `req.baseUrl` is the concrete mount
// (`/orgs/acme`), so neither alone bounds the label's cardinality. Instead the router tree is
// walked once (again only when a request ends on a Route object not seen before) to map each
// Route object to the template of every mount chain that reaches it. A request then costs one
// WeakMap lookup. Nothing is patched: the walk only reads `stack`, `route` and `rawPath`.

/** The parts of a router `Layer` the walk reads (router 2.x; `rawPath` since router 2.3). */
interface LayerLike {
  route?: { path?: unknown } | undefined
  handle?: { stack?: unknown } | undefined
  rawPath?: unknown
  slash?: boolean
}

interface RouterLike {
  stack: LayerLike[]
}

/** An Express application, as far as the walk needs it. */
export interface ExpressAppLike {
  router?: unknown
  mountpath?: unknown
  parent?: unknown
}

/** One way of reaching a Route: its full template, and a matcher for the mount part when ambiguous. */
interface Candidate {
  template: string
  /** The mount chain's template (`/orgs/:org`); used to pick a candidate from `req.baseUrl`. */
  mount: string
  /** True when a mount on the chain has no readable pattern (router < 2.3). */
  opaque: boolean
}

/** What {@link ExpressRouteResolver.resolve} reads from a request. */
export interface ExpressRequestLike {
  route?: { path?: unknown } | undefined
  baseUrl?: string
  app?: unknown
}

const MAX_DEPTH = 32

/**
 * Maps a finished Express request to its route template, or undefined when no route
 * matched (a 404, a static file, a middleware that answered on its own).
 */
export class ExpressRouteResolver {
  readonly #routes = new WeakMap<object, Candidate[]>()
  /** Routes seen after a full walk that still were not found (a sub-app we cannot reach…). */
  readonly #unreachable = new WeakSet<object>()

  resolve(req: ExpressRequestLike): string | undefined {
    const route = req.route
    if (route === undefined || route === null) return undefined
    let candidates = this.#routes.get(route)
    if (candidates === undefined) candidates = this.#discover(req, route)
    if (candidates === undefined) return leafOf(route)
    if (candidates.length === 1) {
      const only = candidates[0] as Candidate
      return only.opaque ? opaqueTemplate(req.baseUrl, route) : only.template
    }
    return pick(candidates, req.baseUrl ?? '', route)
  }

  /** Walks the app the request is in (and its parents' mount paths) to find `route`. */
  #discover(req: ExpressRequestLike, route: object): Candidate[] | undefined {
    if (this.#unreachable.has(route)) return undefined
    const app = req.app
    if ((typeof app === 'object' && app !== null) || typeof app === 'function') {
      const router = routerOf(app as ExpressAppLike)
      if (router !== undefined) this.#walk(router, mountPrefix(app as ExpressAppLike), false, 0, new Set())
    }
    const found = this.#routes.get(route)
    if (found === undefined) this.#unreachable.add(route)
    return found
  }

  #walk(router: RouterLike, mount: string, opaque: boolean, depth: number, onPath: Set<object>): void {
    if (depth > MAX_DEPTH || onPath.has(router)) return
    onPath.add(router)
    for (const layer of router.stack) {
      const route = layer.route
      if (route !== undefined && route !== null) {
        this.#add(route, mount, opaque)
        continue
      }
      const child = layer.handle
      if (child === undefined || child === null || !Array.isArray(child.stack)) continue
      const patterns = layer.rawPath === undefined ? undefined : flatPatterns(layer.rawPath)
      if (patterns === undefined) {
        // router < 2.3 keeps no mount pattern: the concrete baseUrl is normalised per request.
        this.#walk(child as RouterLike, mount, true, depth + 1, onPath)
        continue
      }
      for (const pattern of patterns) {
        this.#walk(child as RouterLike, joinMount(mount, patternText(pattern)), opaque, depth + 1, onPath)
      }
    }
    onPath.delete(router)
  }

  #add(route: { path?: unknown }, mount: string, opaque: boolean): void {
    const template = joinPath(mount, leafOf(route))
    let list = this.#routes.get(route)
    if (list === undefined) {
      list = []
      this.#routes.set(route, list)
    }
    if (!list.some((c) => c.template === template)) list.push({ template, mount, opaque })
  }
}

function routerOf(app: ExpressAppLike): RouterLike | undefined {
  // Express 5 creates `app.router` lazily on first use; reading it after a request is safe.
  const router = app.router as RouterLike | undefined
  return router !== undefined && router !== null && Array.isArray(router.stack) ? router : undefined
}

/** The mount paths of a sub-app and its parents (`app.mountpath`), outermost first. */
function mountPrefix(app: ExpressAppLike): string {
  let prefix = ''
  let current: ExpressAppLike | undefined = app
  for (let depth = 0; current !== undefined && current !== null && depth < MAX_DEPTH; depth++) {
    const mountpath = current.mountpath
    if (current.parent === undefined || current.parent === null) break
    const first = Array.isArray(mountpath) ? mountpath[0] : mountpath
    if (typeof first === 'string' || first instanceof RegExp) prefix = joinMount(patternText(first), prefix)
    current = current.parent as ExpressAppLike
  }
  return prefix
}

function flatPatterns(raw: unknown): unknown[] {
  return Array.isArray(raw) ? (raw.flat(Infinity) as unknown[]) : [raw]
}

function patternText(pattern: unknown): string {
  if (typeof pattern === 'string') return pattern === '/' ? '' : pattern
  if (pattern instanceof RegExp) return String(pattern)
  return String(pattern)
}

/** The leaf pattern of a Route; an array of paths becomes `a|b` (one bounded label). */
function leafOf(route: { path?: unknown }): string {
  const path = route.path
  if (typeof path === 'string') return path
  if (Array.isArray(path)) return (path.flat(Infinity) as unknown[]).map(patternText).join('|')
  if (path instanceof RegExp) return String(path)
  return ''
}

/** Joins mount templates; `''` stands for the root. */
function joinMount(a: string, b: string): string {
  if (b === '') return a
  if (a === '') return b.startsWith('/') ? b : `/${b}`
  return joinPath(a, b)
}

/** Joins two template parts with exactly one `/` between them. */
export function joinPath(a: string, b: string): string {
  if (a === '' || a === '/') return b === '' ? '/' : b.startsWith('/') || b.startsWith('|') ? b : `/${b}`
  if (b === '' || b === '/') return a.endsWith('/') && a.length > 1 ? a.slice(0, -1) : a
  const left = a.endsWith('/') ? a.slice(0, -1) : a
  return b.startsWith('/') ? left + b : `${left}/${b}`
}

/** Picks the candidate whose mount template matches the concrete `baseUrl`. */
function pick(candidates: Candidate[], baseUrl: string, route: { path?: unknown }): string {
  for (const candidate of candidates) {
    if (candidate.opaque) continue
    if (mountMatcher(candidate.mount).test(baseUrl)) return candidate.template
  }
  const first = candidates[0] as Candidate
  return first.opaque ? opaqueTemplate(baseUrl, route) : first.template
}

const matcherCache = new Map<string, RegExp>()

/**
 * A RegExp for a path-to-regexp 8 mount template: `:name` one segment, `*name` the rest,
 * `{…}` optional. Only used to tell apart the mounts of a Route reachable several ways.
 */
export function mountMatcher(template: string): RegExp {
  let re = matcherCache.get(template)
  if (re !== undefined) return re
  let source = ''
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string
    if (c === ':' || c === '*') {
      let j = i + 1
      while (j < template.length && /[\w$]/.test(template[j] as string)) j++
      source += c === ':' ? '[^/]+' : '.+'
      i = j - 1
    } else if (c === '{') source += '(?:'
    else if (c === '}') source += ')?'
    else source += c.replace(/[.+?^$()[\]\\|]/g, '\\$&')
  }
  re = new RegExp(`^${source}/?$`, 'i')
  if (matcherCache.size < 1000) matcherCache.set(template, re)
  return re
}

// Segments that look like identifiers rather than names: numbers, UUIDs, long hex, or
// mixed letters and digits of 8+ characters.
const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|(?=[^/]*\d)[A-Za-z0-9_-]{8,})$/i

/**
 * The fallback for routers that keep no mount pattern (router < 2.3): the concrete mount
 * path with identifier-like segments replaced by `:id`.
 */
function opaqueTemplate(baseUrl: string | undefined, route: { path?: unknown }): string {
  const mount = (baseUrl ?? '')
    .split('/')
    .map((segment) => (ID_SEGMENT.test(segment) ? ':id' : segment))
    .join('/')
  return joinPath(mount, leafOf(route))
}
