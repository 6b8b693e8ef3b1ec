/*
 * commands.h — the subcommands of sgd-influence that work on a run's outputs
 * (sgd-influence COMMAND ...). Each takes argv from the command's name on and
 * returns the exit status (0 ok, 1 failure, 2 usage error).
 */
#ifndef SGDI_CLI_COMMANDS_H
#define SGDI_CLI_COMMANDS_H

// @anchor:command-declarations

#endif // SGDI_CLI_COMMANDS_H
