/** Finds Java and Maven, with errors that say what is missing and how to get it. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Neo4j 5.26 runs on Java 17 and 21. */
const MIN_JAVA = 17;

export function javaCommand(): string {
  const home = process.env['JAVA_HOME'];
  return home ? join(home, 'bin', 'java') : 'java';
}

/** Throws unless `java` runs and is version 17 or newer. */
export function requireJava(): void {
  const java = javaCommand();
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (result.error) {
    throw new Error(
      `Java is needed to run Neo4j but '${java} -version' failed: ${result.error.message}. ` +
        `Install Java ${MIN_JAVA}+ (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME.`,
    );
  }
  const output = `${result.stderr}${result.stdout}`;
  const major = parseJavaMajor(output);
  if (result.status !== 0 || major === undefined) {
    throw new Error(`'${java} -version' exited ${result.status}: ${output.trim()}`);
  }
  if (major < MIN_JAVA) {
    throw new Error(`Neo4j 5.26 needs Java ${MIN_JAVA}+, but '${java}' is Java ${major}: ${output.split('\n')[0]?.trim()}`);
  }
}

/** "17.0.15" → 17, "1.8.0_392" → 8. */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match?.[1]) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}

/** Throws unless `mvn` runs. */
export function requireMaven(): void {
  const result = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit ${result.status}: ${`${result.stderr}${result.stdout}`.trim()}`;
    throw new Error(`Maven is needed to build tools/neo4j but 'mvn -v' failed: ${why}. Install it (Debian: apt-get install maven).`);
  }
}
