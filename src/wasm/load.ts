import { RuntimeSupportError } from '../core/errors.js';
import type { KernelExports } from './generated/exports.js';
import { wasmBase64 } from './generated/wasm-bytes.js';
import { Workspace } from './workspace.js';

export type { KernelExports };

let compiled: Promise<WebAssembly.Module> | undefined;
let runtime: Runtime | undefined;

/**
 * The compiled module (compiled once, asynchronously) and its instances. Each instance owns its memory and
 * arena; an async fit holds one for its whole duration, sync calls share one that is never held across an await.
 */
export class Runtime {
  private readonly free: Workspace[] = [];
  constructor(
    private readonly module: WebAssembly.Module,
    readonly sync: Workspace,
  ) {}

  /** A workspace of its own for an async call; give it back with `release`. */
  async acquire(): Promise<Workspace> {
    const ws = this.free.pop();
    if (ws) return ws;
    return new Workspace((await WebAssembly.instantiate(this.module, {})).exports as unknown as KernelExports);
  }

  release(ws: Workspace): void {
    ws.reset();
    this.free.push(ws);
  }
}

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return Uint8Array.from(B.from(s, 'base64'));
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Loads (once) and returns the runtime. Rejects with RuntimeSupportError where WebAssembly SIMD is missing. */
export function loadRuntime(): Promise<Runtime> {
  if (runtime) return Promise.resolve(runtime);
  if (typeof WebAssembly === 'undefined') {
    return Promise.reject(new RuntimeSupportError('latent needs WebAssembly, which this runtime lacks'));
  }
  compiled ??= (async () => {
    const bytes = decodeBase64(wasmBase64);
    if (!WebAssembly.validate(bytes)) {
      throw new RuntimeSupportError(
        'latent needs WebAssembly SIMD (Node ≥ 16.4, Chrome ≥ 91, Firefox ≥ 89, Safari ≥ 16.4); this runtime rejected the module',
      );
    }
    return WebAssembly.compile(bytes);
  })();
  return compiled.then(async (module) => {
    if (!runtime) {
      const inst = await WebAssembly.instantiate(module, {});
      runtime ??= new Runtime(module, new Workspace(inst.exports as unknown as KernelExports));
    }
    return runtime;
  });
}

/** The runtime, for sync methods of objects that could only be made after `loadRuntime` resolved. */
export function loadedRuntime(): Runtime {
  if (!runtime) throw new RuntimeSupportError('latent: the WebAssembly module is not loaded yet (await a fit or fromJSON first)');
  return runtime;
}
