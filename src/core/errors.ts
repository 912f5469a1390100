/** Base class of every error latent throws on purpose. */
export class LatentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An option or a value is not what the API accepts. */
export class ValidationError extends LatentError {}

/** An array has the wrong shape: rows, columns or lengths. */
export class ShapeError extends ValidationError {}

/** A component collapsed so far that its covariance cannot be factorised. */
export class DegenerateComponentError extends LatentError {
  readonly component: number;
  constructor(component: number, detail: string) {
    super(
      `component ${component} is degenerate (${detail}): increase regCovar, reduce nComponents, or scale the data`,
    );
    this.component = component;
  }
}

/** A fit was cancelled through its AbortSignal. */
export class AbortError extends LatentError {
  constructor(reason?: unknown) {
    super(`fit aborted${reason instanceof Error ? `: ${reason.message}` : reason !== undefined ? `: ${String(reason)}` : ''}`);
  }
}

/** The WebAssembly runtime cannot run latent's module. */
export class RuntimeSupportError extends LatentError {}

export function assertNever(x: never, what = 'value'): never {
  throw new ValidationError(`unexpected ${what}: ${String(x)}`);
}
