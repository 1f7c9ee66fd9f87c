/**
 * BENCHMARKS.md: one file, one section per benchmark between HTML comment markers, so each
 * benchmark rewrites only its own results.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const HEADER = `# Benchmarks

Timing goals of Restwell, measured as ratios side by side on the same machine and data
(never as timed assertions in tests). Each section is written by a script in \`bench/\`;
rerun all of them with \`make bench\`. Numbers from different machines are not comparable,
the ratios roughly are.
`;

/**
 * Writes `body` as the section `name` of the markdown file at `path`: replaces the text
 * between \`<!-- bench:NAME:start -->\` and \`<!-- bench:NAME:end -->\` when both markers are
 * there, and appends the section otherwise. Creates the file, with a short header saying
 * what it is, when it does not exist. Everything outside the markers is kept as it was.
 */
export function writeSection(path: string, name: string, body: string): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const section = `${start}\n${body.trim()}\n${end}`;
  const current = existsSync(path) ? readFileSync(path, "utf8") : HEADER;
  const from = current.indexOf(start);
  const to = current.indexOf(end, from);
  const next =
    from >= 0 && to >= 0
      ? current.slice(0, from) + section + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
}
