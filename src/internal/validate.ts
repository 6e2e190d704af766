// Validation helpers shared by every constructor and `configure()`. They throw
// PerfkitConfigError naming the option, so a bad config fails at construction.
import { PerfkitConfigError } from '../errors'

export function positiveInt(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new PerfkitConfigError(option, 'an integer >= 1', value)
  }
  return value
}

export function nonNegativeInt(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new PerfkitConfigError(option, 'an integer >= 0', value)
  }
  return value
}

export function positiveFinite(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new PerfkitConfigError(option, 'a finite number > 0', value)
  }
  return value
}

export function nonNegativeFinite(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new PerfkitConfigError(option, 'a finite number >= 0', value)
  }
  return value
}

export function finiteNumber(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new PerfkitConfigError(option, 'a finite number', value)
  }
  return value
}

export function inRange(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new PerfkitConfigError(option, `a number from ${min} to ${max}`, value)
  }
  return value
}

export function bool(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new PerfkitConfigError(option, 'a boolean', value)
  return value
}

export function func<F extends (...args: never[]) => unknown>(option: string, value: unknown): F {
  if (typeof value !== 'function') throw new PerfkitConfigError(option, 'a function', value)
  return value as F
}

export function nonEmptyString(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new PerfkitConfigError(option, 'a non-empty string', value)
  return value
}

export function oneOf<const T extends readonly string[]>(option: string, value: unknown, allowed: T): T[number] {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new PerfkitConfigError(option, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value)
  }
  return value
}

export function optionalSignal(option: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined
  if (!(value instanceof AbortSignal)) throw new PerfkitConfigError(option, 'an AbortSignal', value)
  return value
}
