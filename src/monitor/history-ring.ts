// A bounded ring of history rows: a time plus a fixed number of numeric columns. Storage
// starts small and doubles up to the capacity, so a short-lived series never pays for a full
// ring; once full, the oldest row is overwritten.

const INITIAL_ROWS = 8

export class HistoryRing {
  readonly columns: number
  readonly capacity: number
  #t: Float64Array
  #data: Float64Array
  /** Index of the oldest row. */
  #start = 0
  #size = 0

  constructor(columns: number, capacity: number) {
    this.columns = columns
    this.capacity = capacity
    const rows = Math.min(INITIAL_ROWS, capacity)
    this.#t = new Float64Array(rows)
    this.#data = new Float64Array(rows * columns)
  }

  get size(): number {
    return this.#size
  }

  /** Appends a row; `values` holds `columns` numbers. */
  push(t: number, values: ArrayLike<number>): void {
    if (this.#size === this.#t.length && this.#size < this.capacity) this.#grow()
    let row: number
    if (this.#size < this.#t.length) {
      row = (this.#start + this.#size) % this.#t.length
      this.#size++
    } else {
      row = this.#start
      this.#start = (this.#start + 1) % this.#t.length
    }
    this.#t[row] = t
    const base = row * this.columns
    for (let c = 0; c < this.columns; c++) this.#data[base + c] = values[c] as number
  }

  /** Time of the i-th oldest row. */
  time(i: number): number {
    return this.#t[(this.#start + i) % this.#t.length] as number
  }

  /** Column `c` of the i-th oldest row. */
  value(i: number, c: number): number {
    return this.#data[((this.#start + i) % this.#t.length) * this.columns + c] as number
  }

  /** Index of the first row with time >= t (rows are in clock order). */
  lowerBound(t: number): number {
    let lo = 0
    let hi = this.#size
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.time(mid) < t) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Bytes held by the ring's arrays. */
  get bytes(): number {
    return this.#t.byteLength + this.#data.byteLength
  }

  #grow(): void {
    const rows = Math.min(this.#t.length * 2, this.capacity)
    const t = new Float64Array(rows)
    const data = new Float64Array(rows * this.columns)
    for (let i = 0; i < this.#size; i++) {
      const from = (this.#start + i) % this.#t.length
      t[i] = this.#t[from] as number
      data.set(this.#data.subarray(from * this.columns, (from + 1) * this.columns), i * this.columns)
    }
    this.#t = t
    this.#data = data
    this.#start = 0
  }
}
