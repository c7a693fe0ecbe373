// Type-level checks of the generated operations (compiled by `npm run typecheck`, never
// run): results and variables are typed by the schema, mistakes do not compile.
import { accountsCenterHomeQuery, createClient, grantConsentMutation, type App } from '../src/index.js';

const execute = createClient({ url: 'http://localhost:4001/graphql', token: () => 'token' });

export async function usage(): Promise<string | null | undefined> {
  const home = await execute(accountsCenterHomeQuery, { avatarSize: 48 });
  const apps: App[] | undefined = home.data?.viewer?.accounts?.map((a) => a.app);
  void apps;
  await execute(grantConsentMutation, { input: { sourceApp: 'INSTAGRAM', targetApp: 'FACEBOOK', category: 'PROFILE' } });
  // @ts-expect-error: NOT_AN_APP is not an App
  await execute(grantConsentMutation, { input: { sourceApp: 'NOT_AN_APP', targetApp: 'FACEBOOK', category: 'PROFILE' } });
  // @ts-expect-error: the home query selects no email
  void home.data?.viewer?.profile.email;
  return home.data?.viewer?.profile.displayName;
}
