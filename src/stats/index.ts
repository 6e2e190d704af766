/**
 * Pure statistics: two-sample tests, effect size, least squares and exact quantiles, with
 * tail-accurate distribution functions behind the p-values.
 * @module
 */
export type { NumericSample } from './descriptive'
export { linearRegression } from './linear-regression'
export type { LinearRegressionResult } from './linear-regression'
export { quantile } from './quantile'
export { cohensD, mannWhitneyU, welchTTest } from './two-sample'
export type { MannWhitneyResult, WelchResult } from './two-sample'
