// Special functions behind the p-values: erfc, log-gamma/log-beta, the regularized incomplete
// beta function, and the normal, Student t and F distribution tails built on them.
//
// Everything here is written for relative accuracy far into the tails (p-values down to
// ~1e-300): an upper tail is always computed directly, never as `1 - cdf`, which would cancel
// to 0 below ~1e-16. simple-statistics is used where it is accurate enough (`gammaln` for
// small arguments); its `errorFunction` (~1e-7) and `cumulativeStdNormalProbability` (a
// 4-digit table) are not, and it has no t distribution, so those are implemented here.
import { gammaln } from 'simple-statistics'

const LN_SQRT_2PI = 0.9189385332046728 // ln(√(2π))
const SQRT_2PI = 2.5066282746310002
const ONE_OVER_SQRT_PI = 0.5641895835477563

// W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23
// (1969), as in Netlib SPECFUN `calerf`: ~1e-16 relative on each interval.
const A = [3.1611237438705656, 113.864154151050156, 377.485237685302021, 3209.37758913846947, 0.185777706184603153]
const B = [23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062]
const C = [
  0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131, 881.95222124176909,
  1712.04761263407058, 2051.07837782607147, 1230.33935479799725, 2.15311535474403846e-8,
]
const D = [
  15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019, 3290.79923573345963,
  4362.61909014324716, 3439.36767414372164, 1230.33935480374942,
]
const P = [0.305326634961232344, 0.360344899949804439, 0.125781726111229246, 0.0160837851487422766, 6.58749161529837803e-4, 0.0163153871373020978]
const Q = [2.56852019228982242, 1.87295284992346047, 0.527905102951428412, 0.0605183413124413191, 0.00233520497626869185]

/** exp(-y²) · r without losing accuracy: y² is split into an exactly squared part and a small rest. */
function expNegSquareTimes(y: number, r: number): number {
  const ysq = Math.trunc(y * 16) / 16
  const del = (y - ysq) * (y + ysq)
  // Near underflow a single exp keeps the subnormal result from being rounded twice.
  return ysq * ysq < 700 ? Math.exp(-ysq * ysq) * Math.exp(-del) * r : Math.exp(-ysq * ysq - del) * r
}

/**
 * The complementary error function erfc(x) = 1 − erf(x), with ~1e-15 relative accuracy for
 * x ≥ 0 all the way to underflow (x ≈ 27.2).
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN
  const y = Math.abs(x)
  let r: number
  if (y <= 0.46875) {
    const z = y * y
    let num = A[4]! * z
    let den = z
    for (let i = 0; i < 3; i++) {
      num = (num + A[i]!) * z
      den = (den + B[i]!) * z
    }
    return 1 - (x * (num + A[3]!)) / (den + B[3]!)
  }
  if (y <= 4) {
    let num = C[8]! * y
    let den = y
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]!) * y
      den = (den + D[i]!) * y
    }
    r = expNegSquareTimes(y, (num + C[7]!) / (den + D[7]!))
  } else if (y >= 27.3) {
    r = 0 // below the smallest subnormal
  } else {
    const z = 1 / (y * y)
    let num = P[5]! * z
    let den = z
    for (let i = 0; i < 4; i++) {
      num = (num + P[i]!) * z
      den = (den + Q[i]!) * z
    }
    const s = (z * (num + P[4]!)) / (den + Q[4]!)
    r = expNegSquareTimes(y, (ONE_OVER_SQRT_PI - s) / y)
  }
  return x < 0 ? 2 - r : r
}

/** Upper tail of the standard normal distribution, P(Z > z), accurate to ~1e-300. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z * Math.SQRT1_2)
}

/** CDF of the standard normal distribution, P(Z ≤ z); the lower tail is computed directly. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z * Math.SQRT1_2)
}

/** Density of the standard normal distribution. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / SQRT_2PI
}

// P. J. Acklam's rational approximation (~1e-9), used only as the starting point of two
// Halley steps on the accurate CDF above, which bring it to full double precision.
const QA = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239]
const QB = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
const QC = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
const QD = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]

function lowerQuantile(p: number): number {
  // p ≤ 0.5: the lower-tail branch of Acklam's approximation, then refinement on normalCdf.
  let x: number
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p))
    x = (((((QC[0]! * q + QC[1]!) * q + QC[2]!) * q + QC[3]!) * q + QC[4]!) * q + QC[5]!) / ((((QD[0]! * q + QD[1]!) * q + QD[2]!) * q + QD[3]!) * q + 1)
  } else {
    const q = p - 0.5
    const r = q * q
    x = ((((((QA[0]! * r + QA[1]!) * r + QA[2]!) * r + QA[3]!) * r + QA[4]!) * r + QA[5]!) * q) / (((((QB[0]! * r + QB[1]!) * r + QB[2]!) * r + QB[3]!) * r + QB[4]!) * r + 1)
  }
  for (let i = 0; i < 2; i++) {
    const e = normalCdf(x) - p
    const u = (e * SQRT_2PI) * Math.exp(0.5 * x * x)
    x = x - u / (1 + 0.5 * x * u)
  }
  return x
}

/** Inverse of {@link normalCdf}: the z with P(Z ≤ z) = p. */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN
  if (p === 0) return Number.NEGATIVE_INFINITY
  if (p === 1) return Number.POSITIVE_INFINITY
  return p <= 0.5 ? lowerQuantile(p) : -lowerQuantile(1 - p)
}

/** ln Γ(x) − (Stirling's approximation), for x ≥ 10: the asymptotic series, < 1e-17 error there. */
function stirlingCorrection(x: number): number {
  const z = 1 / (x * x)
  return (1 / 12 - z * (1 / 360 - z * (1 / 1260 - z * (1 / 1680 - z * (1 / 1188 - z * (691 / 360360 - z * (1 / 156 - z * (3617 / 122400)))))))) / x
}

/** ln Γ(x) for x > 0. Lanczos (simple-statistics `gammaln`) below 10, Stirling's series above. */
export function logGamma(x: number): number {
  if (Number.isNaN(x) || x <= 0) return Number.NaN
  if (x < 10) return gammaln(x)
  return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + stirlingCorrection(x)
}

/**
 * ln B(a, b), arranged as in R's `lbeta` so that no large log-gammas are subtracted: the
 * Stirling terms of large arguments cancel analytically instead of numerically.
 */
export function logBeta(a: number, b: number): number {
  const p = Math.min(a, b)
  const q = Math.max(a, b)
  if (!(p > 0)) return Number.NaN
  if (p >= 10) {
    const corr = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p + q)
    return -0.5 * Math.log(q) + LN_SQRT_2PI + corr + (p - 0.5) * Math.log(p / (p + q)) + q * Math.log1p(-p / (p + q))
  }
  if (q >= 10) {
    const corr = stirlingCorrection(q) - stirlingCorrection(p + q)
    return logGamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q))
  }
  return logGamma(p) + logGamma(q) - logGamma(p + q)
}

const FPMIN = 1e-300
const EPS = 1e-16

/** Continued fraction of I_x(a, b) (Numerical Recipes `betacf`, modified Lentz's method). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b
  const qap = a + 1
  const qam = a - 1
  let c = 1
  let d = 1 - (qab * x) / qap
  if (Math.abs(d) < FPMIN) d = FPMIN
  d = 1 / d
  let h = d
  // Convergence takes O(√max(a, b)) terms near the mean; the cap only guards against a hang.
  const maxIterations = 1000 + 20 * Math.ceil(Math.sqrt(Math.max(a, b)))
  for (let m = 1; m <= maxIterations; m++) {
    const m2 = 2 * m
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2))
    d = 1 + aa * d
    if (Math.abs(d) < FPMIN) d = FPMIN
    c = 1 + aa / c
    if (Math.abs(c) < FPMIN) c = FPMIN
    d = 1 / d
    h *= d * c
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2))
    d = 1 + aa * d
    if (Math.abs(d) < FPMIN) d = FPMIN
    c = 1 + aa / c
    if (Math.abs(c) < FPMIN) c = FPMIN
    d = 1 / d
    const del = d * c
    h *= del
    if (Math.abs(del - 1) < EPS) break
  }
  return h
}

/** x^a · y^b / (a · B(a, b)) in log space, with y = 1 − x passed in exactly. */
function betaFront(x: number, y: number, a: number, b: number): number {
  const lnX = x < 0.5 ? Math.log(x) : Math.log1p(-y)
  const lnY = y < 0.5 ? Math.log(y) : Math.log1p(-x)
  return Math.exp(a * lnX + b * lnY - logBeta(a, b) - Math.log(a))
}

/**
 * The regularized incomplete beta function I_x(a, b). `y` must equal 1 − x; pass it when it
 * is known more precisely than `1 - x` (as in the t tail, where x = ν/(ν+t²) and
 * y = t²/(ν+t²)). The continued fraction is evaluated on the side that converges, so a small
 * I_x is computed directly rather than as 1 − (something close to 1).
 */
export function regularizedBeta(x: number, a: number, b: number, y: number = 1 - x): number {
  if (Number.isNaN(x) || Number.isNaN(a) || Number.isNaN(b) || !(a > 0) || !(b > 0)) return Number.NaN
  if (x <= 0) return 0
  if (y <= 0 || x >= 1) return 1
  if (x < (a + 1) / (a + b + 2)) return betaFront(x, y, a, b) * betaContinuedFraction(a, b, x)
  return 1 - betaFront(y, x, b, a) * betaContinuedFraction(b, a, y)
}

/** Upper tail of Student's t distribution with `df` degrees of freedom, P(T > t). */
export function studentTSf(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df) || !(df > 0)) return Number.NaN
  if (df === Number.POSITIVE_INFINITY) return normalSf(t)
  if (t === 0) return 0.5
  if (t === Number.POSITIVE_INFINITY) return 0
  if (t === Number.NEGATIVE_INFINITY) return 1
  const abs = Math.abs(t)
  const t2 = abs * abs
  let x: number
  let y: number
  if (Number.isFinite(t2)) {
    x = df / (df + t2)
    y = t2 / (df + t2)
  } else {
    x = df / abs / abs
    y = 1
  }
  // P(|T| > |t|) = I_x(ν/2, 1/2); the one-sided tail is half of it.
  const tail = 0.5 * regularizedBeta(x, df / 2, 0.5, y)
  return t > 0 ? tail : 1 - tail
}

/** CDF of Student's t distribution, P(T ≤ t); the lower tail is computed directly. */
export function studentTCdf(t: number, df: number): number {
  return studentTSf(-t, df)
}

/** Upper tail of the F distribution with (d1, d2) degrees of freedom, P(F > f). */
export function fSf(f: number, d1: number, d2: number): number {
  if (Number.isNaN(f) || !(d1 > 0) || !(d2 > 0)) return Number.NaN
  if (f <= 0) return 1
  if (f === Number.POSITIVE_INFINITY) return 0
  // P(F > f) = I_{d2/(d2+d1 f)}(d2/2, d1/2)
  const d1f = d1 * f
  return regularizedBeta(d2 / (d2 + d1f), d2 / 2, d1 / 2, d1f / (d2 + d1f))
}
