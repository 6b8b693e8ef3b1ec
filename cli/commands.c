/*
 * commands.c — what the main command and the subcommands say alike: usage errors and
 * failures, each one line on stderr starting with the program's name.
 */
#include "commands.h"

#include <stdarg.h>
#include <stdio.h>

#include "args.h"

const char cli_program[] = "sgd-influence";

int cli_usage(const char *command, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", cli_program);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s%s%s --help'.\n", cli_program, command ? " " : "",
            command ? command : "");
    return CLI_EXIT_USAGE;
}

int cli_fail(const sgdi_error *err) {
    fprintf(stderr, "%s: %s\n", cli_program,
            err->message[0] ? err->message : sgdi_strerror(err->status));
    return CLI_EXIT_FAILURE;
}
