/** Events emitted by the regression primitives. Filled in by the issue that builds them. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RegressionEvents {}
