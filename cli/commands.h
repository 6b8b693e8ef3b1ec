/*
 * commands.h — the subcommands of sgd-influence that work on a run's outputs
 * (sgd-influence COMMAND ...). Each takes argv from the command's name on and
 * returns the exit status (0 ok, 1 failure, 2 usage error).
 */
#ifndef SGDI_CLI_COMMANDS_H
#define SGDI_CLI_COMMANDS_H

#include "sgdi.h"

// The program's name, as every message starts.
extern const char cli_program[];

// "sgd-influence: <message>" and "Try 'sgd-influence [COMMAND] --help'." on stderr
// (command NULL = the main command); returns the usage exit status, 2.
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int cli_usage(const char *command, const char *fmt, ...);

// "sgd-influence: <what went wrong and where>" on stderr; returns the failure status, 1.
int cli_fail(const sgdi_error *err);

// sgd-influence evaluate: the removal curve (cli/evaluate.c).
int cli_evaluate_main(int argc, char **argv);
// sgd-influence report: one self-contained HTML page about a run (cli/report.c).
int cli_report_main(int argc, char **argv);
// sgd-influence cleanse: a training CSV without the most harmful rows (cli/cleanse.c).
int cli_cleanse_main(int argc, char **argv);

#endif // SGDI_CLI_COMMANDS_H
