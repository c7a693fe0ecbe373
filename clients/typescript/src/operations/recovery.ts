// Recovery and activity: masked contact points and the activity log.
import { graphql } from '../gql/index.js';

/** Masked phone numbers and emails of the linked accounts. */
export const recoveryOptionsQuery = graphql(`
  query RecoveryOptions {
    viewer {
      id
      ageDiscrepancy
      recoveryOptions {
        app
        kind
        masked
      }
    }
  }
`);

/** One page of the activity log, newest first; pass `endCursor` as `after`. */
export const activityQuery = graphql(`
  query Activity($first: Int = 20, $after: String) {
    viewer {
      id
      activity(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            type
            app
            at
            detail
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);
