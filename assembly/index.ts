// Barrel: every kernel family, re-exported as the module's exports.
export * from './kernels/memory';
export * from './kernels/logsumexp';
export * from './kernels/gauss-full';
export * from './kernels/gauss-diag';
export * from './kernels/cholesky';
export * from './kernels/kmeans';
export * from './kernels/hmm';
export * from './kernels/math-test';
