package org.lodestore.cli;

/** The command's exit codes, the same for every subcommand (and written in each one's help). */
final class Exit {

  /** Done, nothing wrong found. */
  static final int OK = 0;

  /** Problems found (verify), or the operation failed or was refused; stderr says why. */
  static final int PROBLEMS = 1;

  /** A bad command line; stderr says what and shows the usage. */
  static final int USAGE = 2;

  /** The database (or the schema given for it) could not be opened; stderr says why. */
  static final int CANNOT_OPEN = 3;

  /** The lines of the "Exit codes" section of every help text. */
  static final String[] HELP = {
    "0:ok",
    "1:problems found (verify), or the operation failed or was refused",
    "2:bad command line (usage)",
    "3:cannot open the database (missing, damaged, in use where that is refused) or its schema"
  };

  private Exit() {}
}
