// Single sign-on: a one-time code that signs the person in to another linked app.
import { graphql } from '../gql/index.js';

/** Creates a code for `targetApp` (in settings.singleSignOn); valid for 120 s, once. */
export const createLoginHandoffMutation = graphql(`
  mutation CreateLoginHandoff($targetApp: App!) {
    createLoginHandoff(targetApp: $targetApp) {
      code
      expiresAt
    }
  }
`);
