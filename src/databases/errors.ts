/** The errors of the database tools; their messages carry no secrets and say what to fix. */

/** A dump or load program is not installed. */
export class MissingToolError extends Error {
  override name = "MissingToolError";
  constructor(
    readonly programs: readonly string[],
    readonly debianPackage: string,
  ) {
    const which =
      programs.length === 1 ? `${programs[0]} is not` : `neither ${programs.join(" nor ")} is`;
    super(
      `${which} installed on the daemon's machine (or not on its PATH): install Debian's ${debianPackage} (apt-get install ${debianPackage})`,
    );
  }
}

/** A database tool ran and failed; `stderrTail` and the message are masked. */
export class DatabaseToolError extends Error {
  override name = "DatabaseToolError";
  constructor(
    readonly tool: string,
    readonly exitCode: number | undefined,
    readonly stderrTail: string,
    message: string,
  ) {
    super(message);
  }
}

/** The consumer of a dump closed its stream before the end; the dump tool was stopped. */
export class DumpClosedError extends Error {
  override name = "DumpClosedError";
  constructor() {
    super("the dump's reader closed the stream before its end, so the dump was stopped");
  }
}

/** A restore target already holds tables and replacing it was not asked for. */
export class TargetNotEmptyError extends Error {
  override name = "TargetNotEmptyError";
  constructor(
    readonly target: string,
    readonly tables: number,
  ) {
    super(
      `the target database "${target}" already holds ${tables} ${tables === 1 ? "table or view" : "tables or views"}; restore into a new or empty database, or set replace to load the dump over it`,
    );
  }
}
