// Composes the profilegraph subgraph with the reviews test subgraph (and any extra
// subgraph SDL files) with two composers: @apollo/composition, the library the gateway,
// the router and Rover use, and The Guild's @theguild/federation-composition (Hive).
//
//   node testdata/federation/compose.mjs <profilegraph graphql url> [name=path/to/schema.graphql ...]
//
// profilegraph's SDL is fetched from `_service { sdl }` without a token. On success it
// prints one JSON line {"errors":[],"hints":[…],"subgraphs":[…],"supergraphSdl":"…",
// "guild":{"errors":[],"supergraphSdl":"…"}} and exits 0; on any error of either composer
// it prints the same shape with the errors (and each error on stderr) and exits 1.
import { readFile } from 'node:fs/promises';

import { composeServices } from '@apollo/composition';
import { composeServices as composeServicesGuild } from '@theguild/federation-composition';
import { parse } from 'graphql';

import { typeDefs as reviewsTypeDefs } from './reviews-subgraph.mjs';

async function fetchSDL(url) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`${url}: HTTP ${res.status}: ${text}`);
  }
  const body = JSON.parse(text);
  if (body.errors?.length) {
    throw new Error(`${url}: ${JSON.stringify(body.errors)}`);
  }
  const sdl = body.data?._service?.sdl;
  if (typeof sdl !== 'string' || sdl === '') {
    throw new Error(`${url}: empty _service.sdl`);
  }
  return sdl;
}

async function main() {
  const [url, ...extra] = process.argv.slice(2);
  if (!url) {
    throw new Error('usage: node compose.mjs <profilegraph graphql url> [name=schema.graphql ...]');
  }
  const services = [
    { name: 'profilegraph', url, typeDefs: parse(await fetchSDL(url)) },
    { name: 'reviews', url: 'http://reviews.invalid/graphql', typeDefs: reviewsTypeDefs },
  ];
  for (const arg of extra) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      throw new Error(`extra subgraph "${arg}" is not name=path`);
    }
    const name = arg.slice(0, eq);
    services.push({
      name,
      url: `http://${name}.invalid/graphql`,
      typeDefs: parse(await readFile(arg.slice(eq + 1), 'utf8')),
    });
  }

  const result = composeServices(services);
  const summary = {
    subgraphs: services.map((s) => s.name),
    errors: (result.errors ?? []).map((e) => ({
      code: e.extensions?.code ?? null,
      message: e.message,
    })),
    hints: (result.hints ?? []).map((h) => ({ code: h.definition.code, message: h.message })),
    supergraphSdl: result.errors ? null : result.supergraphSdl,
  };
  const guild = composeServicesGuild(services);
  summary.guild = {
    errors: (guild.errors ?? []).map((e) => ({ code: e.extensions?.code ?? null, message: e.message })),
    supergraphSdl: guild.errors?.length ? null : guild.supergraphSdl,
  };
  process.stdout.write(JSON.stringify(summary) + '\n');
  if (summary.errors.length > 0 || summary.guild.errors.length > 0) {
    for (const e of summary.errors) {
      console.error(`composition error ${e.code}: ${e.message}`);
    }
    for (const e of summary.guild.errors) {
      console.error(`guild composition error ${e.code}: ${e.message}`);
    }
    process.exit(1);
  }
  console.error(
    `composed ${summary.subgraphs.join(' + ')} with both composers: 0 errors, ${summary.hints.length} hints, ` +
      `supergraph ${summary.supergraphSdl.length} bytes (guild: ${summary.guild.supergraphSdl.length})`,
  );
}

main().catch((err) => {
  console.error('compose:', err.message ?? err);
  process.exit(1);
});
