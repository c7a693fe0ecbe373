// A minimal typed executor over fetch. It sends each operation by its trusted-document
// id (the sha256 the generator embedded), so it works against a server that runs with
// TRUSTED_DOCUMENTS; any GraphQL client that accepts TypedDocumentNode works as well.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/** One GraphQL error as profilegraph reports it; `extensions.code` is always set. */
export interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions: { code: string; [key: string]: unknown };
}

/** A GraphQL response: partial data and field errors may come together. */
export interface Result<TData> {
  data?: TData | null;
  errors?: GraphQLError[];
}

/** Options of createClient. */
export interface ClientOptions {
  /** The GraphQL endpoint, e.g. https://gateway.example/graphql. */
  url: string;
  /** Returns the viewer's bearer token (a user token of the app the page runs in). */
  token: () => string | Promise<string>;
  /** fetch implementation; the global one by default. */
  fetch?: typeof fetch;
}

/** Thrown when the server answers with an HTTP error and no GraphQL body. */
export class HTTPError extends Error {
  constructor(readonly status: number, readonly body: string) {
    super(`GraphQL endpoint answered HTTP ${status}`);
  }
}

interface WithHash {
  __meta__?: { hash?: string };
}

/** The trusted-document id of a generated operation (hex sha256 of its body). */
export function documentId(document: TypedDocumentNode<unknown, never> | object): string {
  const hash = (document as WithHash).__meta__?.hash;
  if (!hash) {
    throw new Error('document has no persisted hash: use an operation of this package');
  }
  return hash.replace(/^sha256:/, '');
}

/** Creates a typed executor: `execute(AccountsCenterHomeQuery, {})` is typed by the query. */
export function createClient(options: ClientOptions) {
  const doFetch = options.fetch ?? fetch;
  return async function execute<TData, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
  ): Promise<Result<TData>> {
    const res = await doFetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${await options.token()}`,
      },
      body: JSON.stringify({
        variables,
        extensions: { persistedQuery: { version: 1, sha256Hash: documentId(document) } },
      }),
    });
    const text = await res.text();
    let body: Result<TData>;
    try {
      body = JSON.parse(text) as Result<TData>;
    } catch {
      throw new HTTPError(res.status, text);
    }
    return body;
  };
}
