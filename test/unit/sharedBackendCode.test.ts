import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { sharedBackendCode } from '../../src/engine/parse/backends.ts';

test('the compiled sqlparser-rs module is made once per thread and crosses to a worker without recompiling', async () => {
  const first = await sharedBackendCode(['sqlparser-rs', 'node-sql-parser']);
  const again = await sharedBackendCode(['sqlparser-rs']);
  assert.ok(first.sqlparserRs, 'a module for the workers');
  assert.equal(again.sqlparserRs, first.sqlparserRs, 'compiled once');
  assert.deepEqual(await sharedBackendCode(['node-sql-parser']), {}, 'nothing to share without sqlparser-rs');

  // A worker adopts it, and its parser works on it: the module survived structured cloning.
  const script = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.backends).then(async (b) => {
      b.adoptSharedBackendCode(workerData.code);
      const [parser] = await b.createBackends(['sqlparser-rs']);
      const statements = parser.parse('SELECT a FROM s.t', 'postgresql');
      parentPort.postMessage({ kind: statements[0] && statements[0].kind, isModule: workerData.code.sqlparserRs instanceof WebAssembly.Module });
    }).catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));`;
  const worker = new Worker(script, { eval: true, workerData: { code: first, backends: new URL('../../src/engine/parse/backends.ts', import.meta.url).href } });
  try {
    const reply = await new Promise<{ kind?: string; isModule?: boolean; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    assert.equal(reply.error, undefined);
    assert.equal(reply.isModule, true);
    assert.equal(reply.kind, 'query');
  } finally {
    await worker.terminate();
  }
});
