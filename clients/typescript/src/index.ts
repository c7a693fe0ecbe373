// @profilegraph/client: the typed operations of the Accounts Center pages and a small
// executor that sends them by trusted-document id.
export * from './client.js';
export * from './operations/home.js';
export * from './operations/linking.js';
export * from './operations/consents.js';
export * from './operations/settings.js';
export * from './operations/handoff.js';
export * from './operations/recovery.js';
export type * from './gql/graphql.js';
