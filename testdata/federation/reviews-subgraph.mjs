// A small second subgraph for the federation tests: it owns Review and references the
// profilegraph entities Person (by id) and AppAccount (by app appUserId), and adds
// Person.reviewCount, so the gateway has to join both subgraphs in both directions.
//
//   REVIEWS_DATA='{"reviews":[{"id":"r1","body":"…","authorId":"<person id>",
//                  "account":{"app":"FACEBOOK","appUserId":"…"}}]}' \
//   REVIEWS_PORT=0 node testdata/federation/reviews-subgraph.mjs
//
// Prints {"url":"http://127.0.0.1:<port>/"} as one JSON line on stdout once it listens.
// Importing the module (compose.mjs does) only exposes typeDefs and does not start a server.
import { pathToFileURL } from 'node:url';

import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

// stderrLogger keeps stdout for the one JSON line the tests read.
const stderrLogger = {
  debug: () => {},
  info: (...a) => console.error(...a),
  warn: (...a) => console.error(...a),
  error: (...a) => console.error(...a),
};

export const typeDefs = parse(/* GraphQL */ `
  # Person, AppAccount and App carry no descriptions here: profilegraph owns them.
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  enum App {
    FACEBOOK
    INSTAGRAM
    WHATSAPP
    MESSENGER
    THREADS
  }

  type Person @key(fields: "id") {
    id: ID!
    "How many reviews the person wrote."
    reviewCount: Int!
  }

  type AppAccount @key(fields: "app appUserId", resolvable: false) {
    app: App!
    appUserId: String!
  }

  "A review written by a person through one of their app accounts."
  type Review {
    id: ID!
    body: String!
    author: Person!
    account: AppAccount!
  }

  type Query {
    "All reviews, in the order of the configured data."
    reviews: [Review!]!
  }
`);

/**
 * Parses the REVIEWS_DATA JSON. Throws an Error naming the problem when it is malformed.
 * @param {string | undefined} raw
 */
export function parseData(raw) {
  const data = JSON.parse(raw || '{"reviews":[]}');
  if (!Array.isArray(data.reviews)) {
    throw new Error('REVIEWS_DATA: "reviews" must be an array');
  }
  for (const [i, r] of data.reviews.entries()) {
    if (!r.id || !r.body || !r.authorId || !r.account?.app || !r.account?.appUserId) {
      throw new Error(`REVIEWS_DATA: reviews[${i}] needs id, body, authorId, account.app and account.appUserId`);
    }
  }
  return data;
}

/** @param {{reviews: Array<{id: string, body: string, authorId: string, account: {app: string, appUserId: string}}>}} data */
export function makeResolvers(data) {
  return {
    Query: {
      reviews: () => data.reviews,
    },
    Review: {
      author: (r) => ({ id: r.authorId }),
      account: (r) => ({ app: r.account.app, appUserId: r.account.appUserId }),
    },
    Person: {
      __resolveReference: (ref) => ({ id: ref.id }),
      reviewCount: (p) => data.reviews.filter((r) => r.authorId === p.id).length,
    },
  };
}

async function main() {
  const data = parseData(process.env.REVIEWS_DATA);
  const server = new ApolloServer({
    schema: buildSubgraphSchema([{ typeDefs, resolvers: makeResolvers(data) }]),
    logger: stderrLogger,
  });
  const port = Number(process.env.REVIEWS_PORT || 0);
  const { url } = await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } });
  process.stdout.write(JSON.stringify({ url }) + '\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error('reviews subgraph:', err);
    process.exit(1);
  });
}
