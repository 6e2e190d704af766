// Request validation for the performance API: every refusal is an ApiError whose message
// says what was wrong, answered as 4xx with `{ error, code }`.
import type { ApiRequest } from './types'

/** A refusal with an HTTP status. Thrown inside route handlers; the route wrapper answers it. */
export class ApiError extends Error {
  override name = 'ApiError'
  readonly status: number
  readonly code: string
  readonly headers: Readonly<Record<string, string>> | undefined

  constructor(status: number, code: string, message: string, headers?: Readonly<Record<string, string>>) {
    super(message)
    this.status = status
    this.code = code
    this.headers = headers
  }
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BAD_REQUEST', message)
}

export function notFound(message: string): ApiError {
  return new ApiError(404, 'NOT_FOUND', message)
}

export function notConfigured(what: string): ApiError {
  return new ApiError(501, 'NOT_CONFIGURED', `${what} is not configured on this server`)
}

/** The single value of a query parameter (the last one when repeated), or undefined. */
export function queryString(request: ApiRequest, name: string): string | undefined {
  const value = request.query[name]
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  return value.length === 0 ? undefined : (value[value.length - 1] as string)
}

/** A finite number from the query, or undefined when absent; 400 when not a number. */
export function queryNumber(request: ApiRequest, name: string): number | undefined {
  const text = queryString(request, name)
  if (text === undefined || text === '') return undefined
  const value = Number(text)
  if (!Number.isFinite(value)) throw badRequest(`query parameter \`${name}\` must be a finite number, got \`${text.slice(0, 40)}\``)
  return value
}

/** Values of a query parameter given repeated or comma-separated, each one of `allowed`. */
export function queryList<T extends string>(request: ApiRequest, name: string, allowed: readonly T[]): T[] | undefined {
  const raw = request.query[name]
  if (raw === undefined) return undefined
  const values = (typeof raw === 'string' ? [raw] : [...raw]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '')
  if (values.length === 0) return undefined
  for (const value of values) {
    if (!(allowed as readonly string[]).includes(value)) {
      throw badRequest(`query parameter \`${name}\` must be one of ${allowed.join(', ')}; got \`${value.slice(0, 40)}\``)
    }
  }
  return values as T[]
}

/** The body as a plain object; an absent body is `{}`. 400 for arrays and scalars. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') return {}
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body must be a JSON object')
  return body as Record<string, unknown>
}

/** An optional string field of at most `maxLength` characters. */
export function optionalString(object: Record<string, unknown>, field: string, maxLength: number): string | undefined {
  const value = object[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw badRequest(`\`${field}\` must be a string`)
  if (value.length > maxLength) throw badRequest(`\`${field}\` must be at most ${maxLength} characters`)
  return value
}

/** Refuses fields other than `allowed`, naming the first unknown one. */
export function onlyFields(object: Record<string, unknown>, allowed: readonly string[], where = 'the body'): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) throw badRequest(`unknown field \`${key.slice(0, 40)}\` in ${where}; allowed: ${allowed.join(', ')}`)
  }
}

/** Parses a JSON label matcher from the query (`labels={"route":"/x"}`). */
export function queryLabels(request: ApiRequest, name = 'labels'): Record<string, string> | undefined {
  const text = queryString(request, name)
  if (text === undefined || text === '') return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw badRequest(`query parameter \`${name}\` must be a JSON object of strings`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest(`query parameter \`${name}\` must be a JSON object of strings`)
  const labels: Record<string, string> = {}
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') throw badRequest(`label \`${key.slice(0, 40)}\` must be a string`)
    labels[key] = value
  }
  return labels
}
