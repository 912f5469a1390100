// The built package (dist/index.js, as tsup emits it; `npm test` builds it first) in headless Chromium:
// a GaussianMixture and a GaussianHMM fitted inside a page must come out bit-identical to the same fit in Node.
// playwright-core drives Debian's /usr/bin/chromium (override with CHROMIUM_PATH); it never downloads a browser.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitEverywhere } from './browser/fit-everywhere.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const fitScript = join(root, 'test', 'browser', 'fit-everywhere.mjs');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>latent in the browser</title>
<link rel="icon" href="data:,">
<script type="module">
  import * as latent from '/dist/index.js';
  import { fitEverywhere } from '/fit-everywhere.mjs';
  window.fitEverywhere = (X) => fitEverywhere(latent, X);
</script>
`;

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json' };

/** Serves the page, the fit script and the files of dist/ (nothing else) on 127.0.0.1 at a random port. */
function serve(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    let file: string | undefined;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      return;
    }
    if (path === '/fit-everywhere.mjs') file = fitScript;
    else if (path.startsWith('/dist/')) {
      const f = normalize(join(dist, path.slice('/dist/'.length)));
      if (f.startsWith(dist + sep) && existsSync(f)) file = f;
    }
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function iris(): number[][] {
  const lines = readFileSync(join(root, 'data', 'iris.csv'), 'utf8').trim().split('\n');
  return lines.slice(1).map((line) => line.split(',').map(Number));
}

let server: Server | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!existsSync(join(dist, 'index.js'))) throw new Error('dist/index.js is missing: run `npm run build` (npm test does)');
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`);
  server = await serve();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('the built package in headless Chromium', () => {
  it('GaussianMixture (full) and GaussianHMM fits on iris are bit-identical to Node', async () => {
    const X = iris();
    expect(X.length).toBe(150);
    expect(X.every((row) => row.length === 4 && row.every(Number.isFinite))).toBe(true);

    const latent = await import(pathToFileURL(join(dist, 'index.js')).href);
    const inNode = await fitEverywhere(latent, X);

    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
    const { port } = server!.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => typeof (window as { fitEverywhere?: unknown }).fitEverywhere === 'function', undefined, { timeout: 30_000 })
      .catch((e: Error) => {
        throw new Error(`the page never loaded the package (${problems.join('; ') || e.message})`);
      });
    const inBrowser = await page.evaluate(
      (data) => (window as unknown as { fitEverywhere(X: number[][]): Promise<Record<string, string[]>> }).fitEverywhere(data),
      X,
    );
    await page.close();
    expect(problems).toEqual([]);

    // The fits are real: three components, a converged mixture, a non-trivial HMM run.
    expect(inNode['gmm.weights']).toHaveLength(3);
    expect(inNode['gmm.means']).toHaveLength(12);
    expect(inNode['gmm.covariances']).toHaveLength(48);
    expect(inNode['gmm.converged']).toEqual(['3ff0000000000000']); // true
    expect(inNode['hmm.transMat']).toHaveLength(9);
    expect(inNode['hmm.lowerBounds']!.length).toBeGreaterThan(1);
    expect(latent.GaussianMixture).toBeTypeOf('function');

    expect(Object.keys(inBrowser).sort()).toEqual(Object.keys(inNode).sort());
    for (const key of Object.keys(inNode)) expect(inBrowser[key], key).toEqual(inNode[key]);
  });
});
