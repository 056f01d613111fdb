import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity } from 'vscode-languageserver/node';
import {
  cacheStatsRequest,
  clearCacheRequest,
  connectNeo4jRequest,
  entitiesRequest,
  flushRequest,
  graphKindsRequest,
  ingestProgressNotification,
  ingestWorkspaceRequest,
  neo4jStatusRequest,
  problemsRequest,
  PROTOCOL_VERSION,
  statsRequest,
  type IngestProgressParams,
} from '../../src/shared/protocol.ts';
import { startHarness, type Harness } from './serverHarness.ts';

let h: Harness;
const progress: IngestProgressParams[] = [];

before(async () => {
  h = await startHarness();
  h.client.onNotification(ingestProgressNotification, (p: IngestProgressParams) => {
    progress.push(p);
  });
});

after(async () => {
  await h.close();
});

const fileUri = (rel: string): string => pathToFileURL(join(h.folder, rel)).href;

test('initialize answers the protocol version and the sync capabilities', () => {
  const result = h.initializeResult as { capabilities: { experimental: { sqlGraph: { protocolVersion: number; neo4jAvailable: boolean } }; textDocumentSync: { save: unknown } } };
  assert.equal(result.capabilities.experimental.sqlGraph.protocolVersion, PROTOCOL_VERSION);
  assert.equal(result.capabilities.experimental.sqlGraph.neo4jAvailable, true);
  assert.deepEqual(result.capabilities.textDocumentSync.save, { includeText: false });
});

test('ingest of the sample folder: summary, progress, counts, status', async () => {
  const result = await h.client.sendRequest(ingestWorkspaceRequest, { progressToken: 't1' });
  assert.equal(result.cancelled, false);
  assert.equal(result.folders.length, 1);
  const summary = result.folders[0]?.summary;
  assert.ok(summary);
  assert.equal(summary.files, 6);
  assert.equal(summary.parsed, 6);
  const last = progress.filter((p) => p.progressToken === 't1').at(-1);
  assert.deepEqual(last && { done: last.done, total: last.total }, { done: 6, total: 6 });

  const stats = await h.client.sendRequest(statsRequest);
  assert.equal(stats.folders[0]?.counts.files, 6);
  assert.equal(stats.folders[0]?.counts.entities.table, 5);

  const status = await h.waitFor(() => h.statuses.find((s) => !s.busy && s.files === 6));
  assert.equal(status.health, 'ok');
  assert.ok(status.entities >= 40, `entities ${status.entities}`);
  assert.equal(status.neo4j.state, 'disabled'); // not connected until the user connects
  assert.equal(status.neo4j.pending, 6);
});

test('the broken file gets a diagnostic with its exact range, code and source', async () => {
  const uri = fileUri('warehouse/broken.sql');
  const published = await h.waitFor(() => h.diagnostics.get(uri));
  assert.equal(published.diagnostics.length, 1);
  const d = published.diagnostics[0];
  assert.ok(d);
  assert.deepEqual(d.range, { start: { line: 3, character: 0 }, end: { line: 3, character: 36 } });
  assert.equal(d.source, 'sql-graph');
  assert.equal(d.code, 'fallback-extraction');
  assert.equal(d.severity, DiagnosticSeverity.Warning);
  assert.match(d.message as string, /SELEC/);
});

test('tree data: kinds, paged entities with locations, problem files', async () => {
  const kinds = await h.client.sendRequest(graphKindsRequest);
  assert.deepEqual(kinds.kinds.find((k) => k.kind === 'table'), { kind: 'table', count: 5 });
  const page1 = await h.client.sendRequest(entitiesRequest, { kind: 'table', offset: 0, limit: 2 });
  assert.equal(page1.total, 5);
  assert.equal(page1.items.length, 2);
  assert.equal(page1.nextOffset, 2);
  const rest = await h.client.sendRequest(entitiesRequest, { kind: 'table', offset: 2, limit: 10 });
  assert.equal(rest.items.length, 3);
  assert.equal(rest.nextOffset, undefined);
  const names = [...page1.items, ...rest.items].map((e) => e.name).sort();
  assert.deepEqual(names, ['customers', 'daily_revenue', 'order_lines', 'orders', 'products']);
  const customers = [...page1.items, ...rest.items].find((e) => e.name === 'customers');
  assert.equal(customers?.uri, fileUri('warehouse/schema.sql'));
  assert.equal(customers?.range.start.line, 3);

  const problems = await h.client.sendRequest(problemsRequest);
  assert.deepEqual(problems.files.map((f) => [f.path, f.errors, f.warnings]), [['warehouse/broken.sql', 0, 1]]);
});

test('as-you-type diagnostics come without a save and leave the graph alone', async () => {
  const uri = fileUri('scratch.sql');
  await h.client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text: 'SELECT 1;\n' } });
  await h.client.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ text: 'SELECT 1;\nCREATE TABL broken (;\n' }],
  });
  const published = await h.waitFor(() => {
    const d = h.diagnostics.get(uri);
    return d && d.diagnostics.length > 0 ? d : undefined;
  });
  assert.equal(published.diagnostics[0]?.range.start.line, 1);
  assert.equal(published.diagnostics[0]?.source, 'sql-graph');
  const stats = await h.client.sendRequest(statsRequest);
  assert.equal(stats.folders[0]?.counts.files, 6, 'an unsaved buffer is not in the graph');
  await h.client.sendNotification('textDocument/didClose', { textDocument: { uri } });
  await h.waitFor(() => (h.diagnostics.get(uri)?.diagnostics.length === 0 ? true : undefined));
});

test('a save and a watcher event update the graph', async () => {
  const path = join(h.folder, 'warehouse', 'schema.sql');
  const uri = fileUri('warehouse/schema.sql');
  await h.client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text: readFileSync(path, 'utf8') } });
  appendFileSync(path, '\nCREATE TABLE shop.refunds (refund_id int PRIMARY KEY);\n');
  await h.client.sendNotification('textDocument/didSave', { textDocument: { uri } });
  writeFileSync(join(h.folder, 'added.sql'), 'CREATE TABLE audit_log (id int);\n');
  await h.client.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri('added.sql'), type: 1 }] });
  await h.client.sendRequest(flushRequest);
  const stats = await h.client.sendRequest(statsRequest);
  assert.equal(stats.folders[0]?.counts.entities.table, 7);
  assert.equal(stats.folders[0]?.counts.files, 7);
  assert.ok((stats.folders[0]?.snapshot.batches ?? 0) >= 1);
  await h.client.sendNotification('textDocument/didClose', { textDocument: { uri } });
});

test('cache stats and clear cache', async () => {
  const before = await h.client.sendRequest(cacheStatsRequest);
  assert.equal(before.total.enabled, true);
  assert.ok(before.total.entries >= 6, `entries ${before.total.entries}`);
  const cleared = await h.client.sendRequest(clearCacheRequest);
  assert.ok(cleared.cleared >= 6);
  const afterClear = await h.client.sendRequest(cacheStatsRequest);
  assert.equal(afterClear.total.entries, 0);
});

test('Neo4j before connecting: a clear status, and an unreachable server is a clear refusal', async () => {
  const status = await h.client.sendRequest(neo4jStatusRequest);
  assert.equal(status.available, true);
  assert.equal(status.state, 'disabled');
  await assert.rejects(h.client.sendRequest(connectNeo4jRequest, { uri: 'bolt://127.0.0.1:1', user: 'neo4j', password: 'secret-password' }), /127\.0\.0\.1:1|unreachable|connect/i);
  const after = await h.client.sendRequest(neo4jStatusRequest);
  assert.equal(after.state, 'error');
});

test('bad requests get errors and the server keeps serving', async () => {
  await assert.rejects(h.client.sendRequest(entitiesRequest, { kind: 'nonsense' as 'table', offset: 0, limit: 10 }), /Unknown entity kind/);
  await assert.rejects(h.client.sendRequest('sqlGraph/doesNotExist', {}));
  await assert.rejects(h.client.sendRequest(ingestWorkspaceRequest, { folder: 'file:///nowhere' }), /Not a workspace folder/);
  await assert.rejects(h.client.sendRequest(connectNeo4jRequest, null as never), /needs a URI/);
  await h.client.sendNotification('textDocument/didSave', { textDocument: { uri: 'file:///outside/of/workspace.sql' } });
  await h.client.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: 'not a uri', type: 7 }] });
  await h.client.sendNotification('sqlGraph/didChangeSettings', { settings: { workers: 'many', include: 42 } });
  const stats = await h.client.sendRequest(statsRequest);
  assert.equal(stats.folders.length, 1);
});
