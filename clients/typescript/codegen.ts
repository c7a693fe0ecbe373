// GraphQL Code Generator: typed operations (client preset) from profilegraph's
// schema.graphqls and the operations in src/operations/. The persisted documents it
// emits (sha256 of each printed body) become the trusted-documents manifest
// (scripts/manifest.mjs).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  // The federation directives the SDL imports are declared for the generator only.
  schema: ['../../schema.graphqls', 'federation-directives.graphql'],
  documents: ['src/operations/**/*.ts'],
  ignoreNoDocuments: false,
  emitLegacyCommonJSImports: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { hashAlgorithm: 'sha256' },
      },
      config: {
        scalars: { Date: 'string', DateTime: 'string', ID: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
      },
    },
  },
};

export default config;
