/** Bit patterns (16 hex digits per double) of a fixed GaussianMixture and GaussianHMM fit, keyed by quantity. */
export function fitEverywhere(latent: unknown, X: number[][]): Promise<Record<string, string[]>>;
