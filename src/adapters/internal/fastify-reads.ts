// Two reads the Fastify plugin makes on every request, without the public accessors' cost:
// `request.routeOptions` builds a fresh object of thirteen fields (and asks the router about
// version constraints) on every read, and `reply.getHeader()` lower-cases its argument. Both
// read a Fastify object held under a symbol; the symbol is found once by its description,
// and where a Fastify has none such the public accessor serves.
import type { FastifyReply, FastifyRequest } from 'fastify'

type Config = Readonly<Record<PropertyKey, unknown>> & { url?: string }

/** A symbol-keyed own property of `object` by the symbol's description, found on first use. */
class OwnSymbol {
  readonly #description: string
  #symbol: symbol | null | undefined = undefined

  constructor(description: string) {
    this.#description = description
  }

  of(object: object): symbol | null {
    if (this.#symbol === undefined) this.#symbol = Object.getOwnPropertySymbols(object).find((s) => s.description === this.#description) ?? null
    return this.#symbol
  }
}

/** Fastify's route context of a request (`request.routeOptions` reads it). */
const CONTEXT = new OwnSymbol('fastify.context')
/** Fastify's own headers of a reply (`reply.getHeader` reads them first). */
const REPLY_HEADERS = new OwnSymbol('fastify.reply.headers')

/** The route's config, as `request.routeOptions.config` gives it: `url` is the route template (undefined for a 404). */
export function routeConfig(request: FastifyRequest): Config | undefined {
  const symbol = CONTEXT.of(request)
  if (symbol === null) return request.routeOptions.config as unknown as Config | undefined
  return ((request as unknown as Record<symbol, { config?: Config } | undefined>)[symbol])?.config
}

/** The response's Content-Length as `reply.getHeader('content-length')` gives it. */
export function responseLength(reply: FastifyReply): unknown {
  const symbol = REPLY_HEADERS.of(reply)
  const own = symbol === null ? undefined : (reply as unknown as Record<symbol, Record<string, unknown> | undefined>)[symbol]
  const length = own?.['content-length']
  return length !== undefined ? length : reply.getHeader('content-length')
}

/** Whether this Fastify holds both under the symbols looked for (a test watches for a Fastify that renames them). */
export function readsDirectly(request: FastifyRequest, reply: FastifyReply): boolean {
  return CONTEXT.of(request) !== null && REPLY_HEADERS.of(reply) !== null
}
