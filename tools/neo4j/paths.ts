/** Where the development Neo4j server keeps its build, state and log. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(PROJECT_DIR, '..', '..');
export const TARGET_DIR = join(PROJECT_DIR, 'target');
export const JAR_FILE = join(TARGET_DIR, 'sqlgraph-neo4j.jar');
export const LIB_DIR = join(TARGET_DIR, 'lib');
/** Hash of the Maven inputs the current target/ was built from. */
export const BUILD_STAMP_FILE = join(TARGET_DIR, 'sqlgraph-build.stamp');

/** `.neo4j/` at the repository root (git-ignored). */
export const STATE_DIR = join(REPO_ROOT, '.neo4j');
export const STATE_FILE = join(STATE_DIR, 'state.json');
export const LOG_FILE = join(STATE_DIR, 'neo4j.log');

/** Prefix of the temporary data folders; stop only deletes folders named so. */
export const DATA_DIR_PREFIX = 'sqlgraph-neo4j-';
