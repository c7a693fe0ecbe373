// Accounts Center home page: who the viewer is across apps.
import { graphql } from '../gql/index.js';

/** The home page: the merged profile, where each value came from, and the linked accounts. */
export const accountsCenterHomeQuery = graphql(`
  query AccountsCenterHome($avatarSize: Int = 96) {
    viewerAccount {
      id
      app
      appUserId
    }
    viewer {
      id
      ageRange
      profile {
        displayName
        username
        bio
        avatar {
          url(size: $avatarSize)
          sourceApp
        }
        sources {
          field
          app
        }
      }
      accounts {
        id
        app
        appUserId
        username
        displayName
        linkedAt
      }
    }
  }
`);
