/* main.c - ewdiag: "ewdiag COMMAND ..." runs a command of the table below,
 * each a program of its own (helpers.h); anything else is an analysis
 * (analyze.c). A thin layer over the public API (ewdiag.h) and nothing
 * else. */
#include <string.h>

#include "commands.h"
#include "helpers.h"

typedef struct command {
    const char *name;
    const char *prog;  /* the program that runs it */
    const char *needs; /* what that program is built with */
} command;

/* A first argument naming a command runs it; an input of that name is
 * given as ./NAME. */
static const command commands[] = {
    {"serve", "ewdiag-serve", "libmicrohttpd"},
    {"queue", "ewdiag-queue", "libpq and libcurl"},
    {"worker", "ewdiag-queue", "libpq and libcurl"},
    {NULL, NULL, NULL},
};

int main(int argc, char **argv)
{
    for (const command *c = commands; argc > 1 && c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return ew_exec_helper(c->prog, c->needs, argv);
    return cmd_analyze(argc, argv);
}
