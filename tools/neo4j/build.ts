/**
 * Builds tools/neo4j with Maven when its inputs changed since the last build:
 * a runnable jar plus every dependency in target/lib, so starting the server
 * needs no network. The first build on a machine downloads Neo4j (about
 * 125 MB) from Maven Central into ~/.m2.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BUILD_STAMP_FILE, JAR_FILE, LIB_DIR, PROJECT_DIR } from './paths.ts';
import { requireMaven } from './toolchain.ts';

const ANSI_ESCAPE = /\u001b\[[0-9;]*m/g;

/** Maven's advice lines that follow every error and name none. */
const MAVEN_BOILERPLATE = /^\[ERROR\]\s*(\[Help \d+\].*|To see the full stack trace.*|Re-run Maven.*|For more information about the errors.*)?$/;

/** Builds unless target/ matches the current pom.xml and sources. Returns whether it built. */
export async function ensureBuilt(log: (line: string) => void = console.log): Promise<boolean> {
  const inputs = hashBuildInputs();
  if (isUpToDate(inputs)) return false;
  requireMaven();
  log('Building tools/neo4j with Maven (the first build on a machine downloads Neo4j from Maven Central)…');
  const started = Date.now();
  // A stale stamp must not survive a failed build.
  rmSync(BUILD_STAMP_FILE, { force: true });
  await runMaven(['-B', '-q', 'package']);
  if (!existsSync(JAR_FILE)) throw new Error(`Maven finished but ${relative(PROJECT_DIR, JAR_FILE)} is missing`);
  writeFileSync(BUILD_STAMP_FILE, `${inputs}\n`);
  log(`Built tools/neo4j in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return true;
}

function isUpToDate(inputs: string): boolean {
  if (!existsSync(JAR_FILE) || !existsSync(LIB_DIR) || !existsSync(BUILD_STAMP_FILE)) return false;
  return readFileSync(BUILD_STAMP_FILE, 'utf8').trim() === inputs;
}

/** Content hash of pom.xml and src/, so a fresh clone's file times do not matter. */
function hashBuildInputs(): string {
  const hash = createHash('sha256');
  for (const file of [join(PROJECT_DIR, 'pom.xml'), ...listFiles(join(PROJECT_DIR, 'src'))]) {
    hash.update(relative(PROJECT_DIR, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
}

/** Runs mvn, echoing its output; on failure the error names Maven's own [ERROR] lines. */
function runMaven(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', args, { cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer, sink: NodeJS.WriteStream): void => {
      // Maven 3.8 prints colour resets even in batch mode.
      const text = chunk.toString('utf8').replace(ANSI_ESCAPE, '');
      sink.write(text);
      output = (output + text).slice(-64 * 1024);
    };
    child.stdout.on('data', (chunk: Buffer) => collect(chunk, process.stdout));
    child.stderr.on('data', (chunk: Buffer) => collect(chunk, process.stderr));
    child.on('error', (error) => reject(new Error(`could not run mvn: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) {
        resolve();
        return;
      }
      const errors = output
        .split('\n')
        .filter((line) => line.includes('[ERROR]') && !MAVEN_BOILERPLATE.test(line))
        .slice(0, 12)
        .join('\n');
      reject(new Error(`Maven could not build tools/neo4j (mvn ${args.join(' ')} exited ${code}):\n${errors || output.slice(-4000)}`));
    });
  });
}
