// Least-squares fits of a few harmonics at a given (fractional) period: how the exact period of
// a seasonal series is pinned down once autocorrelation has located it roughly.

/** Sine/cosine pairs fitted when pinning down the exact period. */
const HARMONICS = 3

/** Σ over the first `HARMONICS` harmonics of |Σ yᵢ·e^(−i·h·2π·i/period)|²: the periodogram at `period`. */
function harmonicPower(y: Float64Array, period: number): number {
  const step = (2 * Math.PI) / period
  const cw = Math.cos(step)
  const sw = Math.sin(step)
  const re = new Float64Array(HARMONICS)
  const im = new Float64Array(HARMONICS)
  let c1 = 1
  let s1 = 0
  for (let i = 0; i < y.length; i++) {
    if (i % 1024 === 0) {
      c1 = Math.cos(step * i)
      s1 = Math.sin(step * i)
    }
    const v = y[i] as number
    let ch = c1
    let sh = s1
    for (let h = 0; h < HARMONICS; h++) {
      re[h] = (re[h] as number) + v * ch
      im[h] = (im[h] as number) + v * sh
      const next = ch * c1 - sh * s1
      sh = sh * c1 + ch * s1
      ch = next
    }
    const next = c1 * cw - s1 * sw
    s1 = s1 * cw + c1 * sw
    c1 = next
  }
  let power = 0
  for (let h = 0; h < HARMONICS; h++) power += (re[h] as number) ** 2 + (im[h] as number) ** 2
  return power
}

/**
 * Residual sum of squares of a least-squares fit of a line plus `HARMONICS` sine/cosine pairs
 * at `period` (the line is fitted jointly: detrending first would absorb part of a cycle).
 */
function harmonicSse(y: Float64Array, period: number): number {
  const k = 2 * HARMONICS + 2
  const n = y.length
  const gram = new Float64Array(k * k)
  const rhs = new Float64Array(k)
  const row = new Float64Array(k)
  let yy = 0
  // cos/sin of i·ω by rotation, and of the harmonics by the angle-addition recurrence:
  // two Math.cos/sin calls per fit instead of 2·HARMONICS per point.
  const step = (2 * Math.PI) / period
  const cw = Math.cos(step)
  const sw = Math.sin(step)
  let c1 = 1
  let s1 = 0
  for (let i = 0; i < n; i++) {
    if (i % 1024 === 0) {
      // Re-anchor now and then so rounding in the rotation cannot accumulate.
      c1 = Math.cos(step * i)
      s1 = Math.sin(step * i)
    }
    let ch = c1
    let sh = s1
    for (let h = 0; h < HARMONICS; h++) {
      row[2 * h] = ch
      row[2 * h + 1] = sh
      const next = ch * c1 - sh * s1
      sh = sh * c1 + ch * s1
      ch = next
    }
    row[k - 2] = 1
    row[k - 1] = (2 * i) / n - 1
    const v = y[i] as number
    yy += v * v
    for (let a = 0; a < k; a++) {
      const ra = row[a] as number
      rhs[a] = (rhs[a] as number) + ra * v
      for (let b = 0; b <= a; b++) gram[a * k + b] = (gram[a * k + b] as number) + ra * (row[b] as number)
    }
    const next = c1 * cw - s1 * sw
    s1 = s1 * cw + c1 * sw
    c1 = next
  }
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) gram[a * k + b] = gram[b * k + a] as number
  const beta = solveSymmetric(gram, rhs, k)
  let explained = 0
  for (let a = 0; a < k; a++) explained += (beta[a] as number) * (rhs[a] as number)
  return yy - explained
}

/** Solves the k×k system A·x = b by Gaussian elimination with partial pivoting (A, b are consumed). */
function solveSymmetric(a: Float64Array, b: Float64Array, k: number): Float64Array {
  for (let col = 0; col < k; col++) {
    let pivot = col
    for (let r = col + 1; r < k; r++) if (Math.abs(a[r * k + col] as number) > Math.abs(a[pivot * k + col] as number)) pivot = r
    if (pivot !== col) {
      for (let c = 0; c < k; c++) {
        const t = a[col * k + c] as number
        a[col * k + c] = a[pivot * k + c] as number
        a[pivot * k + c] = t
      }
      const t = b[col] as number
      b[col] = b[pivot] as number
      b[pivot] = t
    }
    const d = a[col * k + col] as number
    if (Math.abs(d) < 1e-12) continue
    for (let r = col + 1; r < k; r++) {
      const f = (a[r * k + col] as number) / d
      if (f === 0) continue
      for (let c = col; c < k; c++) a[r * k + c] = (a[r * k + c] as number) - f * (a[col * k + c] as number)
      b[r] = (b[r] as number) - f * (b[col] as number)
    }
  }
  const x = new Float64Array(k)
  for (let r = k - 1; r >= 0; r--) {
    const d = a[r * k + r] as number
    if (Math.abs(d) < 1e-12) continue
    let sum = b[r] as number
    for (let c = r + 1; c < k; c++) sum -= (a[r * k + c] as number) * (x[c] as number)
    x[r] = sum / d
  }
  return x
}


/**
 * The period in [lo, hi] (to a tenth) that a line plus a few harmonics fits best. Whole
 * periods are screened by periodogram power (cheap, and close to the fit when many cycles
 * fit), then a golden-section search on the exact least-squares fit refines around the best.
 * Unlike per-phase medians, a smooth fit cannot overfit the noise of a handful of cycles.
 */
export function refinePeriod(y: Float64Array, lo: number, hi: number): number {
  let period = lo
  let strongest = -Infinity
  for (let p = lo; p <= hi; p++) {
    const power = harmonicPower(y, p)
    if (power > strongest) {
      strongest = power
      period = p
    }
  }
  let best = period
  const lowestSse = harmonicSse(y, period)
  const ratio = (Math.sqrt(5) - 1) / 2
  let a = Math.max(lo, period - 1)
  let b = Math.min(hi, period + 1)
  let x1 = b - ratio * (b - a)
  let x2 = a + ratio * (b - a)
  let f1 = harmonicSse(y, x1)
  let f2 = harmonicSse(y, x2)
  while (b - a > 0.05) {
    if (f1 < f2) {
      b = x2
      x2 = x1
      f2 = f1
      x1 = b - ratio * (b - a)
      f1 = harmonicSse(y, x1)
    } else {
      a = x1
      x1 = x2
      f1 = f2
      x2 = a + ratio * (b - a)
      f2 = harmonicSse(y, x2)
    }
  }
  const fine = Math.round(((a + b) / 2) * 10) / 10
  if (harmonicSse(y, fine) < lowestSse) best = fine
  return best
}
