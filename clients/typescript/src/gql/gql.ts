/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment ConsentFields on Consent {\n    sourceApp\n    targetApp\n    category\n    purpose\n    grantedAt\n  }\n": typeof types.ConsentFieldsFragmentDoc,
    "\n  query Consents {\n    viewer {\n      id\n      accounts {\n        app\n      }\n      consents {\n        ...ConsentFields\n      }\n    }\n  }\n": typeof types.ConsentsDocument,
    "\n  mutation GrantConsent($input: ConsentInput!) {\n    grantConsent(input: $input) {\n      ...ConsentFields\n    }\n  }\n": typeof types.GrantConsentDocument,
    "\n  mutation RevokeConsent($input: ConsentInput!) {\n    revokeConsent(input: $input)\n  }\n": typeof types.RevokeConsentDocument,
    "\n  mutation CreateLoginHandoff($targetApp: App!) {\n    createLoginHandoff(targetApp: $targetApp) {\n      code\n      expiresAt\n    }\n  }\n": typeof types.CreateLoginHandoffDocument,
    "\n  query AccountsCenterHome($avatarSize: Int = 96) {\n    viewerAccount {\n      id\n      app\n      appUserId\n    }\n    viewer {\n      id\n      ageRange\n      profile {\n        displayName\n        username\n        bio\n        avatar {\n          url(size: $avatarSize)\n          sourceApp\n        }\n        sources {\n          field\n          app\n        }\n      }\n      accounts {\n        id\n        app\n        appUserId\n        username\n        displayName\n        linkedAt\n      }\n    }\n  }\n": typeof types.AccountsCenterHomeDocument,
    "\n  fragment LinkedAccounts on Person {\n    id\n    accounts {\n      id\n      app\n      appUserId\n      linkedAt\n    }\n  }\n": typeof types.LinkedAccountsFragmentDoc,
    "\n  mutation LinkAccount($proof: String!) {\n    linkAccount(proof: $proof) {\n      ...LinkedAccounts\n    }\n  }\n": typeof types.LinkAccountDocument,
    "\n  mutation UnlinkAccount($app: App!) {\n    unlinkAccount(app: $app) {\n      ...LinkedAccounts\n    }\n  }\n": typeof types.UnlinkAccountDocument,
    "\n  query RecoveryOptions {\n    viewer {\n      id\n      ageDiscrepancy\n      recoveryOptions {\n        app\n        kind\n        masked\n      }\n    }\n  }\n": typeof types.RecoveryOptionsDocument,
    "\n  query Activity($first: Int = 20, $after: String) {\n    viewer {\n      id\n      activity(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            type\n            app\n            at\n            detail\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.ActivityDocument,
    "\n  fragment SettingsFields on Settings {\n    syncProfile\n    crossPosting {\n      from\n      to\n    }\n    singleSignOn\n    version\n  }\n": typeof types.SettingsFieldsFragmentDoc,
    "\n  query Settings {\n    viewer {\n      id\n      accounts {\n        app\n      }\n      settings {\n        ...SettingsFields\n      }\n    }\n  }\n": typeof types.SettingsDocument,
    "\n  mutation UpdateSettings($input: UpdateSettingsInput!) {\n    updateSettings(input: $input) {\n      ...SettingsFields\n    }\n  }\n": typeof types.UpdateSettingsDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      displayName\n      bio\n      avatar {\n        url\n        sourceApp\n      }\n      sources {\n        field\n        app\n      }\n    }\n  }\n": typeof types.UpdateProfileDocument,
    "\n  query CrossPostTargets($from: App!) {\n    viewer {\n      id\n      crossPostTargets(from: $from)\n    }\n  }\n": typeof types.CrossPostTargetsDocument,
};
const documents: Documents = {
    "\n  fragment ConsentFields on Consent {\n    sourceApp\n    targetApp\n    category\n    purpose\n    grantedAt\n  }\n": types.ConsentFieldsFragmentDoc,
    "\n  query Consents {\n    viewer {\n      id\n      accounts {\n        app\n      }\n      consents {\n        ...ConsentFields\n      }\n    }\n  }\n": types.ConsentsDocument,
    "\n  mutation GrantConsent($input: ConsentInput!) {\n    grantConsent(input: $input) {\n      ...ConsentFields\n    }\n  }\n": types.GrantConsentDocument,
    "\n  mutation RevokeConsent($input: ConsentInput!) {\n    revokeConsent(input: $input)\n  }\n": types.RevokeConsentDocument,
    "\n  mutation CreateLoginHandoff($targetApp: App!) {\n    createLoginHandoff(targetApp: $targetApp) {\n      code\n      expiresAt\n    }\n  }\n": types.CreateLoginHandoffDocument,
    "\n  query AccountsCenterHome($avatarSize: Int = 96) {\n    viewerAccount {\n      id\n      app\n      appUserId\n    }\n    viewer {\n      id\n      ageRange\n      profile {\n        displayName\n        username\n        bio\n        avatar {\n          url(size: $avatarSize)\n          sourceApp\n        }\n        sources {\n          field\n          app\n        }\n      }\n      accounts {\n        id\n        app\n        appUserId\n        username\n        displayName\n        linkedAt\n      }\n    }\n  }\n": types.AccountsCenterHomeDocument,
    "\n  fragment LinkedAccounts on Person {\n    id\n    accounts {\n      id\n      app\n      appUserId\n      linkedAt\n    }\n  }\n": types.LinkedAccountsFragmentDoc,
    "\n  mutation LinkAccount($proof: String!) {\n    linkAccount(proof: $proof) {\n      ...LinkedAccounts\n    }\n  }\n": types.LinkAccountDocument,
    "\n  mutation UnlinkAccount($app: App!) {\n    unlinkAccount(app: $app) {\n      ...LinkedAccounts\n    }\n  }\n": types.UnlinkAccountDocument,
    "\n  query RecoveryOptions {\n    viewer {\n      id\n      ageDiscrepancy\n      recoveryOptions {\n        app\n        kind\n        masked\n      }\n    }\n  }\n": types.RecoveryOptionsDocument,
    "\n  query Activity($first: Int = 20, $after: String) {\n    viewer {\n      id\n      activity(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            type\n            app\n            at\n            detail\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.ActivityDocument,
    "\n  fragment SettingsFields on Settings {\n    syncProfile\n    crossPosting {\n      from\n      to\n    }\n    singleSignOn\n    version\n  }\n": types.SettingsFieldsFragmentDoc,
    "\n  query Settings {\n    viewer {\n      id\n      accounts {\n        app\n      }\n      settings {\n        ...SettingsFields\n      }\n    }\n  }\n": types.SettingsDocument,
    "\n  mutation UpdateSettings($input: UpdateSettingsInput!) {\n    updateSettings(input: $input) {\n      ...SettingsFields\n    }\n  }\n": types.UpdateSettingsDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      displayName\n      bio\n      avatar {\n        url\n        sourceApp\n      }\n      sources {\n        field\n        app\n      }\n    }\n  }\n": types.UpdateProfileDocument,
    "\n  query CrossPostTargets($from: App!) {\n    viewer {\n      id\n      crossPostTargets(from: $from)\n    }\n  }\n": types.CrossPostTargetsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsentFields on Consent {\n    sourceApp\n    targetApp\n    category\n    purpose\n    grantedAt\n  }\n"): (typeof documents)["\n  fragment ConsentFields on Consent {\n    sourceApp\n    targetApp\n    category\n    purpose\n    grantedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Consents {\n    viewer {\n      id\n      accounts {\n        app\n      }\n      consents {\n        ...ConsentFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Consents {\n    viewer {\n      id\n      accounts {\n        app\n      }\n      consents {\n        ...ConsentFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GrantConsent($input: ConsentInput!) {\n    grantConsent(input: $input) {\n      ...ConsentFields\n    }\n  }\n"): (typeof documents)["\n  mutation GrantConsent($input: ConsentInput!) {\n    grantConsent(input: $input) {\n      ...ConsentFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeConsent($input: ConsentInput!) {\n    revokeConsent(input: $input)\n  }\n"): (typeof documents)["\n  mutation RevokeConsent($input: ConsentInput!) {\n    revokeConsent(input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateLoginHandoff($targetApp: App!) {\n    createLoginHandoff(targetApp: $targetApp) {\n      code\n      expiresAt\n    }\n  }\n"): (typeof documents)["\n  mutation CreateLoginHandoff($targetApp: App!) {\n    createLoginHandoff(targetApp: $targetApp) {\n      code\n      expiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccountsCenterHome($avatarSize: Int = 96) {\n    viewerAccount {\n      id\n      app\n      appUserId\n    }\n    viewer {\n      id\n      ageRange\n      profile {\n        displayName\n        username\n        bio\n        avatar {\n          url(size: $avatarSize)\n          sourceApp\n        }\n        sources {\n          field\n          app\n        }\n      }\n      accounts {\n        id\n        app\n        appUserId\n        username\n        displayName\n        linkedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query AccountsCenterHome($avatarSize: Int = 96) {\n    viewerAccount {\n      id\n      app\n      appUserId\n    }\n    viewer {\n      id\n      ageRange\n      profile {\n        displayName\n        username\n        bio\n        avatar {\n          url(size: $avatarSize)\n          sourceApp\n        }\n        sources {\n          field\n          app\n        }\n      }\n      accounts {\n        id\n        app\n        appUserId\n        username\n        displayName\n        linkedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LinkedAccounts on Person {\n    id\n    accounts {\n      id\n      app\n      appUserId\n      linkedAt\n    }\n  }\n"): (typeof documents)["\n  fragment LinkedAccounts on Person {\n    id\n    accounts {\n      id\n      app\n      appUserId\n      linkedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LinkAccount($proof: String!) {\n    linkAccount(proof: $proof) {\n      ...LinkedAccounts\n    }\n  }\n"): (typeof documents)["\n  mutation LinkAccount($proof: String!) {\n    linkAccount(proof: $proof) {\n      ...LinkedAccounts\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnlinkAccount($app: App!) {\n    unlinkAccount(app: $app) {\n      ...LinkedAccounts\n    }\n  }\n"): (typeof documents)["\n  mutation UnlinkAccount($app: App!) {\n    unlinkAccount(app: $app) {\n      ...LinkedAccounts\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RecoveryOptions {\n    viewer {\n      id\n      ageDiscrepancy\n      recoveryOptions {\n        app\n        kind\n        masked\n      }\n    }\n  }\n"): (typeof documents)["\n  query RecoveryOptions {\n    viewer {\n      id\n      ageDiscrepancy\n      recoveryOptions {\n        app\n        kind\n        masked\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Activity($first: Int = 20, $after: String) {\n    viewer {\n      id\n      activity(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            type\n            app\n            at\n            detail\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Activity($first: Int = 20, $after: String) {\n    viewer {\n      id\n      activity(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            type\n            app\n            at\n            detail\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SettingsFields on Settings {\n    syncProfile\n    crossPosting {\n      from\n      to\n    }\n    singleSignOn\n    version\n  }\n"): (typeof documents)["\n  fragment SettingsFields on Settings {\n    syncProfile\n    crossPosting {\n      from\n      to\n    }\n    singleSignOn\n    version\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Settings {\n    viewer {\n      id\n      accounts {\n        app\n      }\n      settings {\n        ...SettingsFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Settings {\n    viewer {\n      id\n      accounts {\n        app\n      }\n      settings {\n        ...SettingsFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateSettings($input: UpdateSettingsInput!) {\n    updateSettings(input: $input) {\n      ...SettingsFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateSettings($input: UpdateSettingsInput!) {\n    updateSettings(input: $input) {\n      ...SettingsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      displayName\n      bio\n      avatar {\n        url\n        sourceApp\n      }\n      sources {\n        field\n        app\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      displayName\n      bio\n      avatar {\n        url\n        sourceApp\n      }\n      sources {\n        field\n        app\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CrossPostTargets($from: App!) {\n    viewer {\n      id\n      crossPostTargets(from: $from)\n    }\n  }\n"): (typeof documents)["\n  query CrossPostTargets($from: App!) {\n    viewer {\n      id\n      crossPostTargets(from: $from)\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;