// Two-sample tests and effect size: Welch's t-test, the Mann-Whitney U test, Cohen's d.
import { mean, type NumericSample, sumOfSquares, validateSample } from './descriptive'
import { rank } from './ranks'
import { normalSf, studentTSf } from './special'

/**
 * Result of {@link welchTTest}.
 * @example
 * ```ts
 * const { t, df, pValue } = welchTTest(baselineLatencies, currentLatencies)
 * ```
 */
export interface WelchResult {
  /** t statistic, (mean(a) − mean(b)) / √(s²a/na + s²b/nb). Negative when b is larger. */
  t: number
  /** Welch–Satterthwaite degrees of freedom. */
  df: number
  /** Two-sided p-value, 2·P(T_df > |t|). */
  pValue: number
}

/**
 * Welch's two-sample t-test (unequal variances), two-sided.
 *
 * t = (x̄a − x̄b) / √(va/na + vb/nb), with v the sample variance (n − 1);
 * df = (va/na + vb/nb)² / ((va/na)²/(na − 1) + (vb/nb)²/(nb − 1));
 * p = 2·P(T_df > |t|), from the regularized incomplete beta function, so it stays accurate
 * down to ~1e-300.
 *
 * Agrees with SciPy's `ttest_ind(a, b, equal_var=False)` to 1e-6 relative (see
 * `test/fixtures/stats-reference.json`). Degenerate input gives NaN instead of a throw: fewer
 * than 2 values in a sample makes `t`, `df` and `pValue` NaN; zero variance in both samples
 * makes `df` NaN and `t` NaN (equal means) or ±Infinity with `pValue` 0 (different means),
 * as SciPy does — except that SciPy reports a placeholder `df` of 1 there, and this returns NaN.
 *
 * @throws PerfkitInputError when a sample is not an array of finite numbers.
 * @example
 * ```ts
 * const { t, df, pValue } = welchTTest([12, 14, 11, 13], [15, 17, 16, 18])
 * if (pValue < 0.01) console.log(`means differ (t = ${t.toFixed(2)}, df = ${df.toFixed(1)})`)
 * ```
 */
export function welchTTest(a: NumericSample, b: NumericSample): WelchResult {
  validateSample('a', a)
  validateSample('b', b)
  const na = a.length
  const nb = b.length
  if (na < 2 || nb < 2) return { t: Number.NaN, df: Number.NaN, pValue: Number.NaN }
  const ma = mean(a)
  const mb = mean(b)
  const vna = sumOfSquares(a, ma) / (na - 1) / na
  const vnb = sumOfSquares(b, mb) / (nb - 1) / nb
  const se2 = vna + vnb
  const df = (se2 * se2) / ((vna * vna) / (na - 1) + (vnb * vnb) / (nb - 1))
  const t = (ma - mb) / Math.sqrt(se2)
  const pValue = Number.isNaN(t) ? Number.NaN : Number.isFinite(t) ? 2 * studentTSf(Math.abs(t), df) : 0
  return { t, df, pValue }
}

/**
 * Result of {@link mannWhitneyU}.
 * @example
 * ```ts
 * const { u, z, pValue } = mannWhitneyU(baselineLatencies, currentLatencies)
 * if (pValue < 0.01) console.log(z > 0 ? 'baseline tends to be larger' : 'current tends to be larger')
 * ```
 */
export interface MannWhitneyResult {
  /** U statistic of the first sample: R₁ − n₁(n₁ + 1)/2, with R₁ its rank sum in the pooled sample. */
  u: number
  /**
   * Standard normal score with tie and continuity correction, signed: positive when the first
   * sample tends to be larger (u > n₁n₂/2). 0 when every value is tied.
   */
  z: number
  /** Two-sided p-value, min(1, 2·P(Z > |z|)). */
  pValue: number
}

/**
 * The Mann-Whitney U test (Wilcoxon rank-sum), two-sided, by the normal approximation with
 * tie correction and continuity correction.
 *
 * u = R₁ − n₁(n₁ + 1)/2 with average ranks for ties; μ = n₁n₂/2;
 * σ² = n₁n₂/12 · ((n + 1) − Σ(t³ − t)/(n(n − 1))) over groups of t ties;
 * |z| = (|u − μ| − ½)/σ (0 when |u − μ| < ½); p = min(1, 2·P(Z > |z|)).
 *
 * Agrees with SciPy's `mannwhitneyu(a, b, alternative='two-sided', method='asymptotic')`
 * (SciPy reports no z). An empty sample gives NaN fields; all values tied gives z = 0, p = 1.
 *
 * @throws PerfkitInputError when a sample is not an array of finite numbers.
 * @example
 * ```ts
 * const { u, pValue } = mannWhitneyU(baselineLatencies, currentLatencies)
 * ```
 */
export function mannWhitneyU(a: NumericSample, b: NumericSample): MannWhitneyResult {
  validateSample('a', a)
  validateSample('b', b)
  const n1 = a.length
  const n2 = b.length
  if (n1 === 0 || n2 === 0) return { u: Number.NaN, z: Number.NaN, pValue: Number.NaN }
  const n = n1 + n2
  const pooled = new Float64Array(n)
  for (let i = 0; i < n1; i++) pooled[i] = a[i] as number
  for (let i = 0; i < n2; i++) pooled[n1 + i] = b[i] as number
  const { ranks, tieTerm } = rank(pooled)
  let r1 = 0
  for (let i = 0; i < n1; i++) r1 += ranks[i] as number
  const u = r1 - (n1 * (n1 + 1)) / 2
  const mu = (n1 * n2) / 2
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))))
  const excess = Math.abs(u - mu) - 0.5
  if (!(sigma > 0) || excess <= 0) return { u, z: 0, pValue: 1 }
  const z = (Math.sign(u - mu) * excess) / sigma
  return { u, z, pValue: Math.min(1, 2 * normalSf(Math.abs(z))) }
}

/**
 * Cohen's d of `b` against `a`: (mean(b) − mean(a)) / s_pooled, with
 * s_pooled = √(((n_a − 1)·s²_a + (n_b − 1)·s²_b) / (n_a + n_b − 2)). Positive when `b` is larger.
 *
 * NaN when a sample is empty or n_a + n_b < 3; ±Infinity when the pooled deviation is 0 but
 * the means differ (NaN when they are equal).
 *
 * @throws PerfkitInputError when a sample is not an array of finite numbers.
 * @example
 * ```ts
 * cohensD([10, 11, 12], [13, 14, 15]) // 3: a large effect
 * ```
 */
export function cohensD(a: NumericSample, b: NumericSample): number {
  validateSample('a', a)
  validateSample('b', b)
  const na = a.length
  const nb = b.length
  if (na === 0 || nb === 0 || na + nb < 3) return Number.NaN
  const ma = mean(a)
  const mb = mean(b)
  const pooled = Math.sqrt((sumOfSquares(a, ma) + sumOfSquares(b, mb)) / (na + nb - 2))
  return (mb - ma) / pooled
}
