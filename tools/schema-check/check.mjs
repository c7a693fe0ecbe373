// Breaking-change check of the GraphQL contract (run by `make schema-check`, part of
// `make test` and CI).
//
//   node tools/schema-check/check.mjs [repository root, default: the current directory]
//
// 1. schema.graphqls is diffed against the published SDL, schema/published.graphqls,
//    with @graphql-inspector/core. A breaking change (a removed or renamed field, type,
//    argument or enum value, a type made stricter, ...) fails: publish it by updating
//    schema/published.graphqls and adding a line to schema/CHANGELOG.md in the same
//    commit. Additions and dangerous-but-compatible changes pass and are listed.
// 2. Every commit that changed schema/published.graphqls in a breaking way must also
//    have added a line to schema/CHANGELOG.md (checked over the git history).
//
// Exits 0 when both hold, 1 with the offending changes otherwise.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

const PUBLISHED = 'schema/published.graphqls';
const CHANGELOG = 'schema/CHANGELOG.md';

const root = process.argv[2] ?? process.cwd();

function build(sdl, what) {
  try {
    // Federation directives are imported through @link, not declared: do not validate them.
    return buildSchema(sdl, { assumeValidSDL: true });
  } catch (err) {
    throw new Error(`${what} does not parse: ${err.message}`);
  }
}

async function breaking(oldSdl, newSdl, oldName, newName) {
  const changes = await diff(build(oldSdl, oldName), build(newSdl, newName));
  return {
    breaking: changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking),
    other: changes.filter((c) => c.criticality.level !== CriticalityLevel.Breaking),
  };
}

function git(...args) {
  return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

function show(rev, path) {
  try {
    return execFileSync('git', ['-C', root, 'show', `${rev}:${path}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 << 20,
    });
  } catch {
    return null; // the file does not exist in rev
  }
}

async function main() {
  let failed = false;
  const published = await readFile(join(root, PUBLISHED), 'utf8');
  const current = await readFile(join(root, 'schema.graphqls'), 'utf8');

  const now = await breaking(published, current, PUBLISHED, 'schema.graphqls');
  for (const c of now.other) {
    console.error(`schema change (${c.criticality.level.toLowerCase()}): ${c.message}`);
  }
  if (now.breaking.length > 0) {
    failed = true;
    console.error(`\nschema.graphqls breaks the published schema (${PUBLISHED}):`);
    for (const c of now.breaking) {
      console.error(`  BREAKING ${c.type} at ${c.path ?? '?'}: ${c.message}`);
    }
    console.error(
      `\nIf the break is intended, copy schema.graphqls to ${PUBLISHED} and add a line to ${CHANGELOG} in the same commit.`,
    );
  }

  // Every commit that published a breaking change says so in the changelog.
  const commits = git('log', '--format=%H', '--', PUBLISHED).split('\n').filter(Boolean);
  for (const commit of commits) {
    const before = show(`${commit}^`, PUBLISHED);
    const after = show(commit, PUBLISHED);
    if (before === null || after === null) {
      continue; // the copy was created (or deleted) here
    }
    const change = await breaking(before, after, `${PUBLISHED}@${commit.slice(0, 8)}^`, `${PUBLISHED}@${commit.slice(0, 8)}`);
    if (change.breaking.length === 0) {
      continue;
    }
    const added = git('diff', '--unified=0', `${commit}^`, commit, '--', CHANGELOG)
      .split('\n')
      .filter((l) => l.startsWith('+') && !l.startsWith('+++') && l.slice(1).trim() !== '');
    if (added.length === 0) {
      failed = true;
      console.error(
        `\ncommit ${commit.slice(0, 12)} publishes ${change.breaking.length} breaking change(s) without a line in ${CHANGELOG}:`,
      );
      for (const c of change.breaking) {
        console.error(`  BREAKING ${c.message}`);
      }
    }
  }

  if (failed) {
    process.exit(1);
  }
  console.error(
    `schema check: no breaking change against ${PUBLISHED} (${now.other.length} compatible change(s)); ` +
      `${commits.length} publishing commit(s) checked`,
  );
}

main().catch((err) => {
  console.error('schema check:', err.message ?? err);
  process.exit(1);
});
