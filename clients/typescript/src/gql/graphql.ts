/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** The kind of an entry in a person's activity log. */
export type ActivityType =
  /** An app deleted its account of the person (it was unlinked first). */
  | 'ACCOUNT_DELETED'
  /** A consent was granted. */
  | 'CONSENT_GRANTED'
  /** A consent was revoked. */
  | 'CONSENT_REVOKED'
  /** Content was cross-posted from one linked app to another. */
  | 'CROSS_POSTED'
  /** An account was linked to the person. */
  | 'LINKED'
  /** A single-sign-on handoff code was created. */
  | 'LOGIN_HANDOFF_CREATED'
  /** A single-sign-on handoff code was redeemed. */
  | 'LOGIN_HANDOFF_REDEEMED'
  /** Profile fields were updated. */
  | 'PROFILE_UPDATED'
  /** Settings were updated. */
  | 'SETTINGS_UPDATED'
  /** An account was unlinked; sharing with it stopped at this moment. */
  | 'UNLINKED';

/** A person's age bracket, reconciled across linked accounts: the most protective value wins. */
export type AgeRange =
  /** 18 or older. */
  | 'ADULT'
  /** 13 to 15 years old. */
  | 'AGE_13_15'
  /** 16 or 17 years old. */
  | 'AGE_16_17'
  /** Younger than 13. */
  | 'UNDER_13'
  /** No linked account has a birthdate. */
  | 'UNKNOWN';

/** An app a person may hold an account in. */
export type App =
  /** Facebook. */
  | 'FACEBOOK'
  /** Instagram. */
  | 'INSTAGRAM'
  /** Messenger. */
  | 'MESSENGER'
  /** Threads. */
  | 'THREADS'
  /** WhatsApp. */
  | 'WHATSAPP';

/** Identifies a consent. */
export type ConsentInput = {
  /** The data category. */
  category: DataCategory;
  /** The purpose. */
  purpose?: Purpose | null | undefined;
  /** The app the data comes from. */
  sourceApp: App;
  /** The app the data may be shown in. */
  targetApp: App;
};

/** A cross-posting rule. */
export type CrossPostRuleInput = {
  /** The app content is posted in. */
  from: App;
  /** The app it is cross-posted to. */
  to: App;
};

/** A category of personal data; consents are granted per category. */
export type DataCategory =
  /** Activity within an app. */
  | 'ACTIVITY'
  /** Birthdate and age. */
  | 'AGE'
  /** Contact points: phone number and email. */
  | 'CONTACT'
  /** Device information. */
  | 'DEVICE'
  /** Public-facing profile: display name, username, bio and avatar. */
  | 'PROFILE';

/** Why data is requested or shared. */
export type Purpose =
  /** To personalize ads. Cross-app data is used for ads only under a consent with this purpose. */
  | 'ADS'
  /** To provide the service the person uses. */
  | 'SERVICE';

/** The kind of an account recovery option. */
export type RecoveryKind =
  /** An email address. */
  | 'EMAIL'
  /** A phone number. */
  | 'PHONE';

/** Changes to the viewer's profile. */
export type UpdateProfileInput = {
  /** New avatar URL, https only. */
  avatarUrl?: string | null | undefined;
  /** New bio, at most 300 characters. */
  bio?: string | null | undefined;
  /** New display name, 1 to 64 characters. */
  displayName?: string | null | undefined;
  /** Linked apps to sync the change to when `syncProfile` is on (default: all linked). */
  syncTo?: Array<App> | null | undefined;
};

/** Changes to the viewer's settings; omitted fields keep their value. */
export type UpdateSettingsInput = {
  /** Replace the cross-posting rules (linked apps only). */
  crossPosting?: Array<CrossPostRuleInput> | null | undefined;
  /** Fail with CONFLICT unless the settings are at this version. */
  expectedVersion?: number | null | undefined;
  /** Replace the single-sign-on apps (linked apps only). */
  singleSignOn?: Array<App> | null | undefined;
  /** Turn profile syncing on or off. */
  syncProfile?: boolean | null | undefined;
};

export type ConsentFieldsFragment = { sourceApp: App, targetApp: App, category: DataCategory, purpose: Purpose, grantedAt: string };

export type ConsentsQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsentsQuery = { viewer: { id: string, accounts: Array<{ app: App }> | null, consents: Array<{ sourceApp: App, targetApp: App, category: DataCategory, purpose: Purpose, grantedAt: string }> | null } | null };

export type GrantConsentMutationVariables = Exact<{
  input: ConsentInput;
}>;


export type GrantConsentMutation = { grantConsent: { sourceApp: App, targetApp: App, category: DataCategory, purpose: Purpose, grantedAt: string } };

export type RevokeConsentMutationVariables = Exact<{
  input: ConsentInput;
}>;


export type RevokeConsentMutation = { revokeConsent: boolean };

export type CreateLoginHandoffMutationVariables = Exact<{
  targetApp: App;
}>;


export type CreateLoginHandoffMutation = { createLoginHandoff: { code: string, expiresAt: string } };

export type AccountsCenterHomeQueryVariables = Exact<{
  avatarSize?: number | null | undefined;
}>;


export type AccountsCenterHomeQuery = { viewerAccount: { id: string, app: App, appUserId: string }, viewer: { id: string, ageRange: AgeRange | null, profile: { displayName: string | null, username: string | null, bio: string | null, avatar: { url: string, sourceApp: App } | null, sources: Array<{ field: string, app: App }> }, accounts: Array<{ id: string, app: App, appUserId: string, username: string | null, displayName: string | null, linkedAt: string | null }> | null } | null };

export type LinkedAccountsFragment = { id: string, accounts: Array<{ id: string, app: App, appUserId: string, linkedAt: string | null }> | null };

export type LinkAccountMutationVariables = Exact<{
  proof: string;
}>;


export type LinkAccountMutation = { linkAccount: { id: string, accounts: Array<{ id: string, app: App, appUserId: string, linkedAt: string | null }> | null } };

export type UnlinkAccountMutationVariables = Exact<{
  app: App;
}>;


export type UnlinkAccountMutation = { unlinkAccount: { id: string, accounts: Array<{ id: string, app: App, appUserId: string, linkedAt: string | null }> | null } | null };

export type RecoveryOptionsQueryVariables = Exact<{ [key: string]: never; }>;


export type RecoveryOptionsQuery = { viewer: { id: string, ageDiscrepancy: boolean | null, recoveryOptions: Array<{ app: App, kind: RecoveryKind, masked: string }> | null } | null };

export type ActivityQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ActivityQuery = { viewer: { id: string, activity: { edges: Array<{ cursor: string, node: { id: string, type: ActivityType, app: App | null, at: string, detail: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null } | null };

export type SettingsFieldsFragment = { syncProfile: boolean, singleSignOn: Array<App>, version: number, crossPosting: Array<{ from: App, to: App }> };

export type SettingsQueryVariables = Exact<{ [key: string]: never; }>;


export type SettingsQuery = { viewer: { id: string, accounts: Array<{ app: App }> | null, settings: { syncProfile: boolean, singleSignOn: Array<App>, version: number, crossPosting: Array<{ from: App, to: App }> } | null } | null };

export type UpdateSettingsMutationVariables = Exact<{
  input: UpdateSettingsInput;
}>;


export type UpdateSettingsMutation = { updateSettings: { syncProfile: boolean, singleSignOn: Array<App>, version: number, crossPosting: Array<{ from: App, to: App }> } };

export type UpdateProfileMutationVariables = Exact<{
  input: UpdateProfileInput;
}>;


export type UpdateProfileMutation = { updateProfile: { displayName: string | null, bio: string | null, avatar: { url: string, sourceApp: App } | null, sources: Array<{ field: string, app: App }> } };

export type CrossPostTargetsQueryVariables = Exact<{
  from: App;
}>;


export type CrossPostTargetsQuery = { viewer: { id: string, crossPostTargets: Array<App> | null } | null };

export const ConsentFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsentFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Consent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sourceApp"}},{"kind":"Field","name":{"kind":"Name","value":"targetApp"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"grantedAt"}}]}}]} as unknown as DocumentNode<ConsentFieldsFragment, unknown>;
export const LinkedAccountsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"LinkedAccounts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Person"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"accounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"appUserId"}},{"kind":"Field","name":{"kind":"Name","value":"linkedAt"}}]}}]}}]} as unknown as DocumentNode<LinkedAccountsFragment, unknown>;
export const SettingsFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SettingsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Settings"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"syncProfile"}},{"kind":"Field","name":{"kind":"Name","value":"crossPosting"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}}]}},{"kind":"Field","name":{"kind":"Name","value":"singleSignOn"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]} as unknown as DocumentNode<SettingsFieldsFragment, unknown>;
export const ConsentsDocument = {"__meta__":{"hash":"sha256:8839bd4d885ba9a2d8152b598698200518b3c3a89cabac7aaf70231553c2c458"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Consents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"accounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"app"}}]}},{"kind":"Field","name":{"kind":"Name","value":"consents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsentFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsentFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Consent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sourceApp"}},{"kind":"Field","name":{"kind":"Name","value":"targetApp"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"grantedAt"}}]}}]} as unknown as DocumentNode<ConsentsQuery, ConsentsQueryVariables>;
export const GrantConsentDocument = {"__meta__":{"hash":"sha256:122396bc7991d1f574ec1f787b3b7f23d6950e67339ad6102d62a692eb832793"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"GrantConsent"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ConsentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"grantConsent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsentFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsentFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Consent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sourceApp"}},{"kind":"Field","name":{"kind":"Name","value":"targetApp"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"grantedAt"}}]}}]} as unknown as DocumentNode<GrantConsentMutation, GrantConsentMutationVariables>;
export const RevokeConsentDocument = {"__meta__":{"hash":"sha256:b47fe4315557e1e619e746ae4d8aa6d8486085a64cca7da9519deee2f2323b01"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeConsent"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ConsentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeConsent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}]}]}}]} as unknown as DocumentNode<RevokeConsentMutation, RevokeConsentMutationVariables>;
export const CreateLoginHandoffDocument = {"__meta__":{"hash":"sha256:f43f1e8793b6bd0cd91b0cfce67fb7500a370b7aed28ef1628fae68b3ee793ca"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateLoginHandoff"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"targetApp"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"App"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createLoginHandoff"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"targetApp"},"value":{"kind":"Variable","name":{"kind":"Name","value":"targetApp"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]} as unknown as DocumentNode<CreateLoginHandoffMutation, CreateLoginHandoffMutationVariables>;
export const AccountsCenterHomeDocument = {"__meta__":{"hash":"sha256:4360ff4b8291fe3235cb7898b29f2d388cb381562041dc5ee759e14351958c7d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AccountsCenterHome"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"avatarSize"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"96"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewerAccount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"appUserId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"ageRange"}},{"kind":"Field","name":{"kind":"Name","value":"profile"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"bio"}},{"kind":"Field","name":{"kind":"Name","value":"avatar"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"size"},"value":{"kind":"Variable","name":{"kind":"Name","value":"avatarSize"}}}]},{"kind":"Field","name":{"kind":"Name","value":"sourceApp"}}]}},{"kind":"Field","name":{"kind":"Name","value":"sources"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"app"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"accounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"appUserId"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"linkedAt"}}]}}]}}]}}]} as unknown as DocumentNode<AccountsCenterHomeQuery, AccountsCenterHomeQueryVariables>;
export const LinkAccountDocument = {"__meta__":{"hash":"sha256:e087451f553023e0d4e95722e968a9e5969d505f9faa429d05f851af06785a53"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"LinkAccount"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"proof"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"linkAccount"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"proof"},"value":{"kind":"Variable","name":{"kind":"Name","value":"proof"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"LinkedAccounts"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"LinkedAccounts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Person"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"accounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"appUserId"}},{"kind":"Field","name":{"kind":"Name","value":"linkedAt"}}]}}]}}]} as unknown as DocumentNode<LinkAccountMutation, LinkAccountMutationVariables>;
export const UnlinkAccountDocument = {"__meta__":{"hash":"sha256:9a29027e1d71dab4724835c61a1e027de7165b7590d456e7b0cb7998f45281b5"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UnlinkAccount"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"app"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"App"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"unlinkAccount"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"app"},"value":{"kind":"Variable","name":{"kind":"Name","value":"app"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"LinkedAccounts"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"LinkedAccounts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Person"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"accounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"appUserId"}},{"kind":"Field","name":{"kind":"Name","value":"linkedAt"}}]}}]}}]} as unknown as DocumentNode<UnlinkAccountMutation, UnlinkAccountMutationVariables>;
export const RecoveryOptionsDocument = {"__meta__":{"hash":"sha256:f98019456955357a36929066ab687a9c71d33036811362d1bc762bd28104ad86"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"RecoveryOptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"ageDiscrepancy"}},{"kind":"Field","name":{"kind":"Name","value":"recoveryOptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"masked"}}]}}]}}]}}]} as unknown as DocumentNode<RecoveryOptionsQuery, RecoveryOptionsQueryVariables>;
export const ActivityDocument = {"__meta__":{"hash":"sha256:1b7b2cab6c690cb03e0cb7fa5bedb2223ee40de8cd97cbbc0a6e5b31e412dcc6"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Activity"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"20"}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"activity"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"detail"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ActivityQuery, ActivityQueryVariables>;
export const SettingsDocument = {"__meta__":{"hash":"sha256:d3de1c09950f52a1c04c77c7bdeb7825e568c3f620f39da1347382fea6de3c40"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Settings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"accounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"app"}}]}},{"kind":"Field","name":{"kind":"Name","value":"settings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SettingsFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SettingsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Settings"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"syncProfile"}},{"kind":"Field","name":{"kind":"Name","value":"crossPosting"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}}]}},{"kind":"Field","name":{"kind":"Name","value":"singleSignOn"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]} as unknown as DocumentNode<SettingsQuery, SettingsQueryVariables>;
export const UpdateSettingsDocument = {"__meta__":{"hash":"sha256:e6bcaa61b16b7f470d03e5dc8415eae29329036c43e50fe9c27f6da8d21839d1"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateSettings"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateSettingsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateSettings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SettingsFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SettingsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Settings"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"syncProfile"}},{"kind":"Field","name":{"kind":"Name","value":"crossPosting"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}}]}},{"kind":"Field","name":{"kind":"Name","value":"singleSignOn"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]} as unknown as DocumentNode<UpdateSettingsMutation, UpdateSettingsMutationVariables>;
export const UpdateProfileDocument = {"__meta__":{"hash":"sha256:aaa6d9352a9257b9ce13058970eeb89736f7158befb4e80253acf6a31451b8d8"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateProfile"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateProfileInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateProfile"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"bio"}},{"kind":"Field","name":{"kind":"Name","value":"avatar"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"sourceApp"}}]}},{"kind":"Field","name":{"kind":"Name","value":"sources"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"app"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateProfileMutation, UpdateProfileMutationVariables>;
export const CrossPostTargetsDocument = {"__meta__":{"hash":"sha256:21a8d970a92fdd39b197f24f4f750589e439fa6c432c18a9b197d6b59f2141ea"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CrossPostTargets"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"App"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"crossPostTargets"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}}]}]}}]}}]} as unknown as DocumentNode<CrossPostTargetsQuery, CrossPostTargetsQueryVariables>;