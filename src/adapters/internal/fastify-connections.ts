// What the Fastify plugin's server mode keeps per connection to find aborted requests without
// a listener per request, and how it names the route of a request aborted before Fastify's
// request object was known to it.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { API_ROUTE } from './http-options'

/** The open requests of a connection, on the socket itself (one property load a request). */
export const OPEN = Symbol('perfkit.openRequests')

export type TrackedSocket = NodeJS.EventEmitter & { [OPEN]: OpenRequests }

/** The open requests of a request's connection; undefined for an inject()ed request. */
export function openRequestsOf(raw: { socket?: unknown }): OpenRequests | undefined {
  return (raw.socket as { [OPEN]?: OpenRequests } | null | undefined)?.[OPEN]
}

/** Puts a request on its connection's open requests; the connection's first one adds `onClose`. */
export function trackRequest(raw: IncomingMessage, res: ServerResponse, onClose: (this: TrackedSocket) => void): void {
  const socket = raw.socket as (NodeJS.EventEmitter & { [OPEN]?: OpenRequests }) | null
  if (socket === null) return
  const open = socket[OPEN]
  if (open !== undefined) return open.add(raw, res)
  socket[OPEN] = new OpenRequests(raw, res)
  socket.once('close', onClose)
}

export type RouteHandler = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => unknown

/** Handlers already tied to connections: a GET route's HEAD twin shares the GET's handler. */
export const wrappedHandlers = new WeakSet<RouteHandler>()

interface Pending {
  raw: IncomingMessage
  res: ServerResponse
  request: FastifyRequest | undefined
}

/**
 * The requests of one connection whose response has not ended, in arrival order. Without
 * pipelining there is at most one, held in the first slot with no allocation; pipelined ones
 * queue behind it.
 */
export class OpenRequests {
  raw: IncomingMessage | undefined
  res: ServerResponse | undefined
  request: FastifyRequest | undefined = undefined
  #queued: Pending[] | undefined = undefined

  constructor(raw: IncomingMessage, res: ServerResponse) {
    this.raw = raw
    this.res = res
  }

  add(raw: IncomingMessage, res: ServerResponse): void {
    if (this.raw === undefined) {
      this.raw = raw
      this.res = res
      this.request = undefined
    } else (this.#queued ??= []).push({ raw, res, request: undefined })
  }

  /** Fastify's request of a raw request on this connection is known. */
  tie(request: FastifyRequest): void {
    const raw = request.raw
    if (this.raw === raw) this.request = request
    else if (this.#queued !== undefined) for (const p of this.#queued) if (p.raw === raw) p.request = request
  }

  remove(raw: IncomingMessage): void {
    if (this.raw === raw) {
      if (this.#queued === undefined) {
        // The common case: no request pipelined behind this one.
        this.raw = this.res = this.request = undefined
        return
      }
      const next = this.#queued.shift()
      this.raw = next?.raw
      this.res = next?.res
      this.request = next?.request
      if (this.#queued.length === 0) this.#queued = undefined
    } else if (this.#queued !== undefined) {
      const i = this.#queued.findIndex((p) => p.raw === raw)
      if (i >= 0) this.#queued.splice(i, 1)
    }
  }

  /** Visits every open request, and forgets them all: the connection is gone. */
  each(visit: (raw: IncomingMessage, res: ServerResponse, request: FastifyRequest | undefined) => void): void {
    const all: Pending[] = []
    if (this.raw !== undefined && this.res !== undefined) all.push({ raw: this.raw, res: this.res, request: this.request })
    if (this.#queued !== undefined) all.push(...this.#queued)
    this.raw = this.res = this.request = this.#queued = undefined
    for (const p of all) visit(p.raw, p.res, p.request)
  }
}

export interface KnownRoute {
  /** The template, as `request.routeOptions.url` gives it. */
  url: string
  /** One of the performance API's own routes. */
  api: boolean
}

/** `:name`, `:name(regexp)`, `*` and the escaped colon `::` of a find-my-way path. */
const PARAMETER = /::|:([A-Za-z0-9_$]+)(\((?:[^()]|\([^()]*\))*\))?|\*/g

/**
 * The routes registered since the plugin (from `onRoute`), to name the route of a URL when
 * only the raw request is known. Fastify's router finds the request's parameters; the route
 * is the template that, filled with them, gives back the request's path.
 */
export class RouteTable {
  readonly #fastify: FastifyInstance
  readonly #byMethod = new Map<string, KnownRoute[]>()

  constructor(fastify: FastifyInstance) {
    this.#fastify = fastify
  }

  add(route: RouteOptions): void {
    const api = (route.config as { [API_ROUTE]?: string } | undefined)?.[API_ROUTE] !== undefined
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      const list = this.#byMethod.get(method) ?? []
      if (!list.some((r) => r.url === route.url)) list.push({ url: route.url, api })
      this.#byMethod.set(method, list)
    }
  }

  /** The route a raw request went to, or undefined when none matched or none can be named. */
  match(method: string | undefined, url: string | undefined): KnownRoute | undefined {
    if (method === undefined || url === undefined) return undefined
    const path = url.split('?', 1)[0] as string
    const found = this.#fastify.findRoute({ method: method as RouteOptions['method'] & string, url: path })
    if (found === null) return undefined
    const params = (found.params ?? {}) as Record<string, string | undefined>
    const wanted = normalize(safeDecode(path))
    for (const route of this.#byMethod.get(method) ?? []) {
      const filled = route.url.replace(PARAMETER, (token: string, name: string | undefined) =>
        token === '::' ? ':' : token === '*' ? (params['*'] ?? '') : (params[name as string] ?? token),
      )
      if (normalize(filled) === wanted) return route
    }
    return undefined
  }
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

/** Lenient on case, repeated and trailing slashes: the router has already matched the path. */
function normalize(path: string): string {
  return path.replace(/\/{2,}/g, '/').replace(/\/+$/, '').toLowerCase()
}
