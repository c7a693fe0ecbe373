// Turns GraphQL Code Generator's persisted documents (src/gql/persisted-documents.json,
// {"sha256:<hex>": body}) into the Apollo persisted-query manifest that profilegraph
// loads with TRUSTED_DOCUMENTS (SPEC §9):
//   {"format":"apollo-persisted-query-manifest","version":1,"operations":[{id,name,type,body}]}
// The id is the hex sha256 of the body, which is what the client sends as
// extensions.persistedQuery.sha256Hash. It fails if a hash does not match its body or a
// document holds other than exactly one operation.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

import { Kind, parse } from 'graphql';

const src = new URL('../src/gql/persisted-documents.json', import.meta.url);
const out = new URL('../persisted-query-manifest.json', import.meta.url);

const docs = JSON.parse(await readFile(src, 'utf8'));
const operations = [];
for (const [key, body] of Object.entries(docs)) {
  const id = key.replace(/^sha256:/, '');
  const actual = createHash('sha256').update(body).digest('hex');
  if (actual !== id) {
    throw new Error(`${key}: the body hashes to ${actual}`);
  }
  const ops = parse(body).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (ops.length !== 1 || !ops[0].name) {
    throw new Error(`${key}: want exactly one named operation, got ${ops.length}`);
  }
  operations.push({ id, name: ops[0].name.value, type: ops[0].operation, body });
}
operations.sort((a, b) => a.name.localeCompare(b.name));
const manifest = { format: 'apollo-persisted-query-manifest', version: 1, operations };
await writeFile(out, JSON.stringify(manifest, null, 2) + '\n');
console.error(`persisted-query-manifest.json: ${operations.length} operations`);
