import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { parse, type CsvError, type Options } from 'csv-parse';
import { parse as parseWhole } from 'csv-parse/sync';

/** One CSV record and the line it starts on (a quoted cell may hold line breaks, so a record can span lines). */
export interface CsvRow {
  line: number;
  cells: string[];
}

/** What could not be read as a record, on the line where it starts. */
export interface CsvProblem {
  line: number;
  error: string;
}

/** A problem as csv-parse reports it: after how many records it came. */
interface Skipped {
  after: number;
  error: string;
}

/**
 * csv-parse, as forgiving as the import always was: a byte-order mark, rows of any length, a quote inside an unquoted
 * cell kept as text, and `\r\n`, `\n` or `\r` ending a row (spreadsheets mix them). Blank lines come out as records
 * (one empty cell) and are dropped by `Lines`, so every line is seen and rows are numbered without csv-parse's per-record
 * info object (costly, and its line count takes a `\r\n` inside a quoted cell for two lines).
 */
function options(onSkip: (skipped: Skipped) => void): Options {
  return {
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    // With the options above, what is left to fail is a quoted cell still open at the end of the text.
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined) => {
      if (err) {
        const error = err.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted cell is not closed before the end of the file' : err.message;
        onSkip({ after: Number(err.records), error });
      }
      return undefined;
    },
  };
}

const breaks = (cells: string[]) => cells.reduce((n, cell) => n + (cell.match(/\r\n|\r|\n/g)?.length ?? 0), 0);

/** Numbers csv-parse's records in order by the line each starts on; blank lines are counted and dropped. */
class Lines {
  private next = 1;
  private records = 0;

  /** The row of the next record, or undefined for a blank line. */
  row(cells: string[]): CsvRow | undefined {
    const line = this.next;
    this.next += 1 + breaks(cells);
    this.records++;
    return cells.length === 1 && cells[0] === '' ? undefined : { line, cells };
  }

  /** The problems that came after the records seen so far, on the line after them. */
  problems(skipped: Skipped[]): CsvProblem[] {
    const due: CsvProblem[] = [];
    while (skipped.length && skipped[0]!.after <= this.records) due.push({ line: this.next, error: skipped.shift()!.error });
    return due;
  }
}

/** A whole CSV text: its rows and what could not be read, each with its line. */
export function readCsv(text: string): { rows: CsvRow[]; problems: CsvProblem[] } {
  const skipped: Skipped[] = [];
  const records = parseWhole(
    text,
    options((s) => skipped.push(s)),
  );
  const lines = new Lines();
  const rows: CsvRow[] = [];
  const problems: CsvProblem[] = lines.problems(skipped);
  for (const cells of records) {
    const row = lines.row(cells);
    if (row) rows.push(row);
    problems.push(...lines.problems(skipped));
  }
  return { rows, problems };
}

/** A whole CSV text known to be well formed (the service's own exports): its rows; throws on a problem. */
export function parseCsvRows(text: string): CsvRow[] {
  const { rows, problems } = readCsv(text);
  if (problems.length) throw new Error(`CSV line ${problems[0]!.line}: ${problems[0]!.error}`);
  return rows;
}

/**
 * The rows of a CSV text arriving in pieces (the initial bulk load streams files far larger than memory), in order;
 * problems go to `onProblem` in their place among the rows. An error of the pieces themselves is thrown here.
 */
export async function* csvRowsOf(pieces: AsyncIterable<string>, onProblem: (problem: CsvProblem) => void): AsyncGenerator<CsvRow> {
  const skipped: Skipped[] = [];
  const parser = parse(options((s) => skipped.push(s)));
  // Records are collected as the parser emits them and handed out a piece at a time: an await per record (reading
  // the parser as an async iterable) made the bulk load's CSV pass several times slower.
  const records: string[][] = [];
  parser.on('data', (cells: string[]) => void records.push(cells));
  const lines = new Lines();
  function* take(): Generator<CsvRow> {
    for (const cells of records.splice(0)) {
      const row = lines.row(cells);
      lines.problems(skipped).forEach(onProblem);
      if (row) yield row;
    }
  }
  try {
    for await (const piece of pieces) {
      if (!parser.write(piece)) await once(parser, 'drain');
      yield* take();
    }
    parser.end();
    await finished(parser);
    yield* take();
    lines.problems(skipped).forEach(onProblem);
  } finally {
    parser.destroy();
  }
}
