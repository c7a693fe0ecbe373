// Linking page: add an account (proved by a token of it) or unlink one.
import { graphql } from '../gql/index.js';

/** The person and its linked accounts, as the linking page lists them after a change. */
export const linkedAccountsFragment = graphql(`
  fragment LinkedAccounts on Person {
    id
    accounts {
      id
      app
      appUserId
      linkedAt
    }
  }
`);

/** Links the account that `proof` (a user token of it) proves to the viewer's person. */
export const linkAccountMutation = graphql(`
  mutation LinkAccount($proof: String!) {
    linkAccount(proof: $proof) {
      ...LinkedAccounts
    }
  }
`);

/** Unlinks the person's account in `app`; the person is null when none is left. */
export const unlinkAccountMutation = graphql(`
  mutation UnlinkAccount($app: App!) {
    unlinkAccount(app: $app) {
      ...LinkedAccounts
    }
  }
`);
