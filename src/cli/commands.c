/* commands.c - the main of a helper program: ewdiag runs it with the
 * command's name as its first argument. */
#include "commands.h"

#include <stdio.h>
#include <string.h>

#include "options.h"

int ew_run_command(const char *prog, const ew_command *table, int argc, char **argv)
{
    for (const ew_command *c = table; argc > 1 && c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "%s: a program that ewdiag runs: use", prog);
    for (const ew_command *c = table; c->name; c++)
        fprintf(stderr, "%s 'ewdiag %s'", c == table ? "" : " or", c->name);
    fputc('\n', stderr);
    return EXIT_TROUBLE;
}
