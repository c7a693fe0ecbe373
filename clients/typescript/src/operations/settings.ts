// Settings page: profile syncing, cross-posting, single sign-on, and profile edits.
import { graphql } from '../gql/index.js';

/** The fields of the settings page, with the version to send back as `expectedVersion`. */
export const settingsFieldsFragment = graphql(`
  fragment SettingsFields on Settings {
    syncProfile
    crossPosting {
      from
      to
    }
    singleSignOn
    version
  }
`);

/** The settings, with the version to send back as `expectedVersion`. */
export const settingsQuery = graphql(`
  query Settings {
    viewer {
      id
      accounts {
        app
      }
      settings {
        ...SettingsFields
      }
    }
  }
`);

/** Updates the settings; CONFLICT when `expectedVersion` is stale. */
export const updateSettingsMutation = graphql(`
  mutation UpdateSettings($input: UpdateSettingsInput!) {
    updateSettings(input: $input) {
      ...SettingsFields
    }
  }
`);

/** Edits the viewer's profile (synced to `syncTo` when syncing is on). */
export const updateProfileMutation = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      displayName
      bio
      avatar {
        url
        sourceApp
      }
      sources {
        field
        app
      }
    }
  }
`);

/** The apps content posted in `from` may be cross-posted to right now. */
export const crossPostTargetsQuery = graphql(`
  query CrossPostTargets($from: App!) {
    viewer {
      id
      crossPostTargets(from: $from)
    }
  }
`);
