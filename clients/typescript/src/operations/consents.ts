// Consents page: which data flows between which apps, and switches to change it.
import { graphql } from '../gql/index.js';

/** The fields of one consent. */
export const consentFieldsFragment = graphql(`
  fragment ConsentFields on Consent {
    sourceApp
    targetApp
    category
    purpose
    grantedAt
  }
`);

/** The consents in force and the linked apps they may name. */
export const consentsQuery = graphql(`
  query Consents {
    viewer {
      id
      accounts {
        app
      }
      consents {
        ...ConsentFields
      }
    }
  }
`);

/** Grants one consent (purpose defaults to SERVICE). */
export const grantConsentMutation = graphql(`
  mutation GrantConsent($input: ConsentInput!) {
    grantConsent(input: $input) {
      ...ConsentFields
    }
  }
`);

/** Revokes one consent; true if it existed. */
export const revokeConsentMutation = graphql(`
  mutation RevokeConsent($input: ConsentInput!) {
    revokeConsent(input: $input)
  }
`);
