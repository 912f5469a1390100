export * from './core/errors.js';
export type { Matrix, MatrixInput } from './core/matrix.js';
export type { IterationInfo, MonotonicityViolation } from './core/em.js';
export { GaussianMixture } from './models/gaussian-mixture.js';
export type { GaussianMixtureOptions, GaussianMixtureParams, GaussianMixtureJSON, CovarianceType } from './models/gaussian-mixture.js';
export { KMeans } from './models/kmeans.js';
export type { KMeansOptions, KMeansJSON } from './models/kmeans.js';
