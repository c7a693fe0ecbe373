// Copies the pinned UMD builds of GraphiQL and React from node_modules (installed by
// `npm ci` from package-lock.json) into assets/, which the Go package embeds. Each file
// must have the sha256 pinned below (the Subresource Integrity of the same files on
// jsDelivr), so a regeneration reproduces the committed assets byte for byte.
//
//   npm ci --prefix graphiql --ignore-scripts && npm run --prefix graphiql assets
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';

const files = [
  ['graphiql/graphiql.min.js', 'graphiql.min.js', 'hnImuor1znlJkD/FOTL3jayfS/xsyNoP04abi8bFJWs='],
  ['graphiql/graphiql.min.css', 'graphiql.min.css', 'MEh+B2NdMSpj9kexQNN3QKc8UzMrCXW/Sx/phcpuyIU='],
  ['react/umd/react.production.min.js', 'react.production.min.js', 'S0lp+k7zWUMk2ixteM6HZvu8L9Eh//OVrt+ZfbCpmgY='],
  ['react-dom/umd/react-dom.production.min.js', 'react-dom.production.min.js', 'IXWO0ITNDjfnNXIu5POVfqlgYoop36bDzhodR6LW5Pc='],
];

const modules = new URL('../node_modules/', import.meta.url);
const assets = new URL('../assets/', import.meta.url);
await mkdir(assets, { recursive: true });
for (const [from, to, sha256] of files) {
  const data = await readFile(new URL(from, modules));
  const got = createHash('sha256').update(data).digest('base64');
  if (got !== sha256) {
    throw new Error(`${from}: sha256 ${got}, want ${sha256} (is node_modules from package-lock.json?)`);
  }
  await writeFile(new URL(to, assets), data);
  console.error(`assets/${to}: ${data.length} bytes, sha256-${got}`);
}
