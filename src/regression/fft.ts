// Autocorrelation through the FFT: O(n log n) for every lag at once, so seasonality on a
// 10 000-point series costs milliseconds instead of the O(n²) of the direct sum.

/** In-place iterative radix-2 FFT of (re, im); the length must be a power of two. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1
    for (; j & bit; bit >>= 1) j ^= bit
    j ^= bit
    if (i < j) {
      const tr = re[i] as number
      re[i] = re[j] as number
      re[j] = tr
      const ti = im[i] as number
      im[i] = im[j] as number
      im[j] = ti
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / len
    const wr = Math.cos(angle)
    const wi = Math.sin(angle)
    const half = len >> 1
    for (let start = 0; start < n; start += len) {
      let cr = 1
      let ci = 0
      for (let k = 0; k < half; k++) {
        const a = start + k
        const b = a + half
        const xr = (re[b] as number) * cr - (im[b] as number) * ci
        const xi = (re[b] as number) * ci + (im[b] as number) * cr
        re[b] = (re[a] as number) - xr
        im[b] = (im[a] as number) - xi
        re[a] = (re[a] as number) + xr
        im[a] = (im[a] as number) + xi
        const next = cr * wr - ci * wi
        ci = cr * wi + ci * wr
        cr = next
      }
    }
  }
}

/**
 * Sample autocorrelation r(k) = Σ(x_i − x̄)(x_{i+k} − x̄) / Σ(x_i − x̄)² for k = 0..maxLag (the
 * usual biased estimator, as `statsmodels.acf`). All zeros for a constant series.
 */
export function autocorrelation(values: ArrayLike<number>, maxLag: number): Float64Array {
  const n = values.length
  const lags = Math.max(0, Math.min(maxLag, n - 1))
  const out = new Float64Array(lags + 1)
  if (n < 2) return out
  let mean = 0
  for (let i = 0; i < n; i++) mean += values[i] as number
  mean /= n
  let size = 1
  while (size < 2 * n) size <<= 1
  const re = new Float64Array(size)
  const im = new Float64Array(size)
  for (let i = 0; i < n; i++) re[i] = (values[i] as number) - mean
  fft(re, im, false)
  for (let i = 0; i < size; i++) {
    re[i] = (re[i] as number) * (re[i] as number) + (im[i] as number) * (im[i] as number)
    im[i] = 0
  }
  fft(re, im, true)
  const c0 = re[0] as number
  if (!(c0 > 1e-300)) return out
  for (let k = 0; k <= lags; k++) out[k] = (re[k] as number) / c0
  return out
}
