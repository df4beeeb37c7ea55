/**
 * `report` command.
 *   npx tsx scripts/report.ts <run-folder>                 re-render report.md/html, results.json, summary.csv
 *   npx tsx scripts/report.ts --compare <runA> <runB>      can B's model(s) replace A's? (A = baseline)
 * Exit codes: re-render exits with the run's own code (0 pass, 1 threshold failed, 2 could not
 * run); --compare exits 0 when every candidate can replace its baseline, 1 otherwise; 2 when
 * the folders cannot be read.
 */
import { resolve } from 'node:path';
import { countsLine } from '../src/report/outcome.ts';
import { compareRuns, rerender } from '../src/report/rerender.ts';

const USAGE = 'usage: report <run-folder> | report --compare <baseline-run-folder> <candidate-run-folder>';

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (argv[0] === '--compare') {
    const [a, b] = [argv[1], argv[2]];
    if (!a || !b) throw new Error(USAGE);
    const r = compareRuns(resolve(a), resolve(b));
    for (const c of r.comparisons) {
      process.stdout.write(`${c.verdict}\n${c.reasons.map((x) => `  - ${x}`).join('\n')}\n`);
    }
    process.stdout.write(`Comparison: ${r.markdownFile}\n`);
    return r.comparisons.every((c) => c.canReplace) ? 0 : 1;
  }
  const dir = argv[0];
  if (!dir || argv.length > 1) throw new Error(USAGE);
  const { results, source, files } = await rerender(resolve(dir));
  process.stdout.write(`Rendered ${files.length} files from ${source} in ${resolve(dir)}\n`);
  for (const r of results.outcome.reasons) process.stdout.write(`  - ${r}\n`);
  process.stdout.write(`${countsLine(results.outcome)}\n`);
  return results.outcome.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`report: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
