// An Apollo gateway over profilegraph and the reviews test subgraph, for the
// end-to-end federation tests.
//
//   GATEWAY_PORT=0 node testdata/federation/gateway.mjs profilegraph=<url> reviews=<url>
//
// - Composes at start from `_service { sdl }` of every subgraph with @apollo/composition
//   (what IntrospectAndCompose does), then drops `for: SECURITY` from the supergraph's
//   @link to the authenticated and requiresScopes specs: this JavaScript gateway cannot
//   enforce them and refuses a supergraph that requires it (the Apollo Router enforces
//   them). The tests thereby also show that profilegraph enforces those rules itself.
// - Forwards the incoming `Authorization` header to every subgraph fetch, and
//   `apollo-federation-include-trace` when the client sent it.
// - Every response carries `extensions.subgraphCalls`: one entry per subgraph fetch,
//   {subgraph, status, ftv1Bytes, traceRootFields}, where ftv1Bytes is the size of the
//   decoded `extensions.ftv1` federated trace the subgraph returned (0 when none) and
//   traceRootFields the field names at the root of that trace. Tests use it to see that
//   inline tracing reached the subgraph and came back; a real gateway would report it.
//
// Prints {"url":"http://127.0.0.1:<port>/"} as one JSON line on stdout once it listens.
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { Trace } from '@apollo/usage-reporting-protobuf';
import { parse } from 'graphql';

// stderrLogger keeps stdout for the one JSON line the tests read.
const stderrLogger = {
  debug: () => {},
  info: (...a) => console.error(...a),
  warn: (...a) => console.error(...a),
  error: (...a) => console.error(...a),
};

const TRACE_HEADER = 'apollo-federation-include-trace';

function parseSubgraphs(args) {
  if (args.length === 0) {
    throw new Error('usage: node gateway.mjs name=url [name=url ...]');
  }
  return args.map((arg) => {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      throw new Error(`subgraph "${arg}" is not name=url`);
    }
    return { name: arg.slice(0, eq), url: arg.slice(eq + 1) };
  });
}

/** Decodes a base64 ftv1 trace; null when it is not a valid Trace protobuf. */
function decodeTrace(ftv1) {
  try {
    const buf = Buffer.from(ftv1, 'base64');
    const trace = Trace.decode(buf);
    return { bytes: buf.length, rootFields: (trace.root?.child ?? []).map((c) => c.responseName) };
  } catch {
    return null;
  }
}

class ForwardingDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    const incoming = context?.headers ?? {};
    if (incoming.authorization) {
      request.http.headers.set('authorization', incoming.authorization);
    }
    if (incoming[TRACE_HEADER]) {
      request.http.headers.set(TRACE_HEADER, incoming[TRACE_HEADER]);
    }
  }

  didReceiveResponse({ response, context }) {
    const ftv1 = response.extensions?.ftv1;
    const decoded = typeof ftv1 === 'string' && ftv1 !== '' ? decodeTrace(ftv1) : null;
    context?.subgraphCalls?.push({
      subgraph: this.name,
      status: response.http?.status ?? null,
      ftv1Bytes: decoded?.bytes ?? 0,
      ftv1Valid: decoded !== null || ftv1 === undefined,
      traceRootFields: decoded?.rootFields ?? [],
    });
    return response;
  }
}

async function fetchSDL(url) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  const body = await res.json();
  if (!res.ok || body.errors?.length || typeof body.data?._service?.sdl !== 'string') {
    throw new Error(`${url}: HTTP ${res.status}: ${JSON.stringify(body.errors ?? body)}`);
  }
  return body.data._service.sdl;
}

/** Composes the subgraphs; the security features become metadata this gateway ignores. */
async function composeSupergraph(subgraphs) {
  const services = [];
  for (const s of subgraphs) {
    services.push({ name: s.name, url: s.url, typeDefs: parse(await fetchSDL(s.url)) });
  }
  const result = composeServices(services);
  if (result.errors?.length) {
    throw new Error(`composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  }
  return result.supergraphSdl.replace(
    /(@link\(url: "https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes)\/v[0-9.]+"), for: SECURITY\)/g,
    '$1)',
  );
}

async function main() {
  const subgraphs = parseSubgraphs(process.argv.slice(2));
  const supergraphSdl = await composeSupergraph(subgraphs);
  const gateway = new ApolloGateway({
    logger: stderrLogger,
    supergraphSdl,
    buildService: ({ name, url }) => new ForwardingDataSource({ name, url }),
  });
  const server = new ApolloServer({
    gateway,
    logger: stderrLogger,
    includeStacktraceInErrorResponses: false,
    plugins: [
      {
        async requestDidStart() {
          return {
            async willSendResponse({ response, contextValue }) {
              if (response.body.kind === 'single') {
                const result = response.body.singleResult;
                result.extensions = { ...result.extensions, subgraphCalls: contextValue.subgraphCalls };
              }
            },
          };
        },
      },
    ],
  });
  const port = Number(process.env.GATEWAY_PORT || 0);
  const { url } = await startStandaloneServer(server, {
    listen: { port, host: '127.0.0.1' },
    context: async ({ req }) => ({ headers: req.headers, subgraphCalls: [] }),
  });
  process.stdout.write(JSON.stringify({ url }) + '\n');

  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error('gateway:', err);
  process.exit(1);
});
