/**
 * A local S3-compatible server for tests: moto's server from the test-only Python environment
 * `.venv-test` (requirements-test.txt, installed by `npm install`), started on a free localhost port and
 * stopped by `stop()`. `createBucket` and `listKeys` speak plain HTTP to it (moto accepts unsigned
 * requests), so the test needs no AWS client of its own.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { PROJECT_ROOT } from './tmp-repo.js';

export const MOTO_SERVER = join(PROJECT_ROOT, '.venv-test', 'bin', 'moto_server');

export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  createBucket(name: string): Promise<void>;
  /** object keys in `bucket`, sorted */
  listKeys(bucket: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** Starts moto_server and waits until it answers. */
export async function startMotoServer(): Promise<MotoServer> {
  if (!existsSync(MOTO_SERVER)) throw new Error(`${MOTO_SERVER} expected, found none: run \`npm run postinstall\` (it creates .venv-test)`);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = execa(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe' });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}):\n${stderr}`);
    if (await fetch(`${endpoint}/`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`moto_server did not answer on ${endpoint} within 60 s:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    endpoint,
    async createBucket(name) {
      const response = await fetch(`${endpoint}/${name}`, { method: 'PUT' });
      if (!response.ok) throw new Error(`creating bucket '${name}' failed: ${response.status} ${await response.text()}`);
    },
    async listKeys(bucket) {
      const text = await (await fetch(`${endpoint}/${bucket}?list-type=2`)).text();
      return [...text.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]!).sort();
    },
    async stop() {
      child.kill('SIGTERM');
      await child;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
